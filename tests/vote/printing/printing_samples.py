"""Sample invitations for the printing tests, as the roll and credential issuing would give them."""

from __future__ import annotations

from ballots.invitations import Invitation

LONG_TITLE = (
    "关于本小区平改坡综合改造工程施工方案、消防设备更新及老虎灶热水供应点搬迁选址的决策听证与表决"
)


def make_invitation(
    i: int, *, name: str, building: str, room: str, title: str = "2025年实事项目征询"
) -> Invitation:
    credential = f"{10000 + i:05d}-{23456 + i:05d}-{34567 + i:05d}-{45678 + i:05d}-{56789 + i:05d}"
    return Invitation(
        ballot_id=7,
        ballot_title=title,
        matter_title="瑞金二路街道实事项目",
        unit_name="茂名居民区",
        resident_id=100 + i,
        name=name,
        building=building,
        room=room,
        household=f"H{i}",
        credential=credential,
        url=f"http://vote.example.cn/v/7#{credential}",
    )


def sample_invitations() -> list[Invitation]:
    """Five residents: bare-number and written-out addresses, one very long ballot title."""
    return [
        make_invitation(0, name="张秀英", building="3", room="201"),
        make_invitation(1, name="欧阳建国", building="5号楼", room="1502室", title=LONG_TITLE),
        make_invitation(2, name="李明", building="12", room="3"),
        make_invitation(3, name="王芳", building="A座", room="101"),
        make_invitation(4, name="陈小红", building="3", room="602"),
    ]
