"""Maintainer tool: regenerate the zh-CN catalogue from the source and the table below.

Run ``python tools/i18n_zh.py`` after changing user-visible text: it extracts every message id
(Python and templates), fills in the Chinese from ``ZH`` and writes
``vote/locale/zh_CN/LC_MESSAGES/messages.po``. Ids missing from ``ZH`` are listed and left
untranslated, and the test suite fails until they are translated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"N_": None, "gettext_": None, "ngettext_": (1, 2), "_": None}
METHODS = [
    ("ballots/**.py", "python"),
    ("vote/**.py", "python"),
    ("vote/templates/**.html", "jinja2"),
]
OPTIONS = {"vote/templates/**.html": {"extensions": "jinja2.ext.i18n"}}

ZH: dict[str, str] = {
    "There is no question {question} on this ballot.": "本次表决没有问题 {question}。",
    "Question {question} is not answered.": "问题 {question} 还没有作答。",
    "Question {question} has no option {option}.": "问题 {question} 没有选项 {option}。",
    "Question {question}: an option is chosen more than once.": "问题 {question}：同一选项被选了不止一次。",
    "Question {question}: choose at least {minimum} (you chose {given}).": "问题 {question}：至少要选 {minimum} 项（您选了 {given} 项）。",
    "Question {question}: choose at most {maximum} (you chose {given}).": "问题 {question}：最多只能选 {maximum} 项（您选了 {given} 项）。",
    "Question {question}: the chosen projects cost {total}, over the limit of {limit}.": "问题 {question}：所选项目共需 {total} 元，超过了预算上限 {limit} 元。",
    "The request cannot be carried out": "无法完成该操作",
    "Not found": "找不到",
    "No {what} with id {id}.": "找不到编号为 {id} 的{what}。",
    "Outside your unit": "超出您的管辖范围",
    "You may only act within your own unit and the units under it.": "您只能在本单位及下属单位范围内操作。",
    "Your role does not allow this": "您的角色无权进行此操作",
    "The role {role} may not {action}.": "角色 {role} 不能执行“{action}”。",
    "Invalid input": "输入有误",
    "The ballot's questions are invalid": "表决问题设置有误",
    "{field}: {message}": "{field}：{message}",
    "The ballot can no longer be changed": "表决已不能修改",
    "Questions and rules can only change while the ballot is a draft; it is {state}.": "只有草稿状态的表决才能修改问题和规则；当前状态为 {state}。",
    "That step is not possible now": "现在不能进行这一步",
    "A ballot that is {state} cannot be {action}.": "处于“{state}”状态的表决不能被{action}。",
    "Nobody is eligible": "没有符合条件的投票人",
    "No resident on the roll meets this ballot's eligibility rules.": "名册中没有居民符合本次表决的资格条件。",
    "Voting is not open": "投票未开放",
    "This ballot is {state}; votes are accepted only while it is open.": "本次表决当前为“{state}”，只有在投票开放期间才能投票。",
    "Invalid voting code": "投票码无效",
    "This voting code is not valid for this ballot. It may be mistyped, or it was replaced by a new invitation.": "这个投票码不能用于本次表决。可能输入有误，或者已经换发了新的通知单。",
    "You have already voted": "您已经投过票了",
    "A ballot with this voting code has already been counted.": "用这个投票码投的票已经计入。",
    "Your household has already voted": "您家已经投过票了",
    "This ballot counts one vote per household, and another member of your household has already voted.": "本次表决一户一票，您家的另一位成员已经投过票了。",
    "An answer breaks a rule of its question": "有一个回答不符合题目要求",
    "The roster file has errors; nothing was imported": "名册文件有错误，没有导入任何数据",
    "Login failed": "登录失败",
    "The user name, password or authenticator code is wrong.": "用户名、密码或动态验证码不正确。",
    "Too many failed attempts": "失败次数过多",
    "Too many failed attempts. Try again in {seconds} seconds.": "失败次数过多，请 {seconds} 秒后再试。",
    "Please log in": "请先登录",
    "This needs a chair's login session or API token.": "此操作需要工作人员登录或 API 令牌。",
    "Already exists": "已经存在",
    "A {what} named {name!r} already exists.": "名为 {name!r} 的{what}已经存在。",
    "The roster file has {count} error(s) and nothing was imported. The first: {first}": "名册文件有 {count} 处错误，没有导入任何数据。第一处：{first}",
    "The request is malformed": "请求格式有误",
    "Not allowed": "不允许",
    "Method not allowed": "不支持该请求方法",
    "The request body is too large": "提交的内容太大",
    "Too many requests": "请求过于频繁",
    "The request failed": "请求失败",
    "The request body is larger than this endpoint accepts.": "提交的内容超过了此接口允许的大小。",
    "The body is not valid JSON": "提交的内容不是有效的 JSON",
    "The request body could not be read as JSON.": "无法把提交的内容读作 JSON。",
    "The body does not match the expected fields": "提交的内容与要求的字段不符",
    "Something went wrong on our side": "系统出了点问题",
    "Nothing was changed. Please try again; if it persists, tell the committee.": "没有做任何更改。请再试一次；如果仍然不行，请告知居委会。",
    "The form has expired": "页面已过期",
    "Please reload the page and try again.": "请刷新页面后再试。",
    "Too many wrong voting codes": "错误的投票码太多",
    "Too many wrong voting codes from your network. Try again in {seconds} seconds.": "您所在网络输入错误投票码的次数太多，请 {seconds} 秒后再试。",
    "The result is not published yet": "结果尚未公布",
    "This ballot's result becomes public when the chair publishes it.": "主持人公布后，本次表决的结果才会公开。",
    "Page not found": "找不到该页面",
    "Draft": "草稿",
    "Voting open": "投票中",
    "Closed": "已截止",
    "Result published": "结果已公布",
    "Cancelled": "已取消",
    "Decision hearing": "决策听证会",
    "Coordination meeting": "矛盾协调会",
    "Evaluation meeting": "政务评议会",
    "Residents' agency": "群众事务代理",
    "Practical projects": "实事项目",
    "Selection": "选定",
    "Matter recorded": "事项立项",
    "Note": "记录",
    "Ballot prepared": "表决已拟定",
    "Voting opened": "开始投票",
    "Voting closed": "投票截止",
    "Result counted": "计票完成",
    "Ballot cancelled": "表决已取消",
    "Chosen": "选定",
    "Passed": "通过",
    "Rejected": "未通过",
    "Not passed": "未通过",
    "Not enough participation": "参与人数不足",
    "Runoff needed": "需要再次投票",
    "Reported": "结果如下",
    "No valid votes": "没有有效票",
    "District administrator": "区级管理员",
    "Street chair": "街道主持人",
    "Residential area chair": "居民区主持人",
    "Observer": "观察员",
    "Operator": "系统运维",
    "Yes": "赞成",
    "No": "反对",
    "Abstain": "弃权",
    "Choose one.": "请选一项。",
    "Rank up to %(n)s options: your favourite first.": "最多排 %(n)s 个选项：最想要的排第一。",
    "Choose projects whose total cost is at most %(limit)s.": "所选项目的总费用不能超过 %(limit)s。",
    "Choose exactly %(n)s.": "请选 %(n)s 项。",
    "Choose from %(low)s to %(high)s.": "请选 %(low)s 到 %(high)s 项。",
    "Voting on this ballot has closed.": "本次投票已经截止。",
    "Voting on this ballot has closed. The result is published.": "本次投票已经截止，结果已公布。",
    "This ballot was cancelled.": "本次表决已取消。",
    "No absolute majority: runoff between %(names)s.": "没有选项过半数：需在 %(names)s 之间再次投票。",
    "Option": "选项",
    "Votes": "票数",
    "Share": "占比",
    "Valid ballots: %(valid)s; blank: %(blank)s.": "有效票 %(valid)s 张；空白票 %(blank)s 张。",
    "Satisfaction rate: %(rate)s%%": "满意率：%(rate)s%%",
    "Mean score: %(score)s": "平均分：%(score)s",
    "Threshold": "门槛",
    "Reached": "实际",
    "Required": "要求",
    "Every round of the count": "每一轮计票",
    "Round %(n)s": "第 %(n)s 轮",
    "Eliminated": "淘汰",
    "Elected": "当选",
    "A tie was broken by lot from the public seed.": "出现平票，已按公开的随机种子抽签决定。",
    "Decision record": "决策记录",
    "Decision record: %(title)s": "决策记录：%(title)s",
    "Eligible: %(n)s": "有投票资格：%(n)s",
    "households": "户",
    "One vote per household.": "一户一票。",
    "Voting is open. Scan the QR code on your invitation to vote.": "投票进行中。请用手机扫描通知单上的二维码投票。",
    "Voting has closed. The result will appear here when the committee publishes it.": "投票已经截止。居委会公布结果后会显示在这里。",
    "This ballot was cancelled. Nothing was counted.": "本次表决已取消，没有计票。",
    "%(counted)s ballots were counted out of %(eligible)s eligible (turnout %(turnout)s%%).": "共计入 %(counted)s 票，有投票资格 %(eligible)s（参与率 %(turnout)s%%）。",
    "The result as data (JSON)": "结果数据（JSON）",
    "Residents' voting": "居民议事表决",
    "Three meetings and one agency: residents hear, decide, and evaluate together.": "三会一代理：大家的事，大家商量，大家决定，大家评议。",
    "Back to the start page": "返回首页",
    "To vote, scan the QR code on your invitation with your phone's camera or WeChat.": "投票请用手机相机或微信扫描通知单上的二维码。",
    "Voting now": "正在投票",
    "Results and decision records": "结果与决策记录",
    "No results have been published yet.": "还没有公布的结果。",
    "Committee staff log in": "工作人员登录",
    "Ballots": "表决",
    "Timeline": "过程记录",
    "Ballots counted: %(n)s": "计入票数：%(n)s",
    "Error types": "错误类型",
    "Every error of the API is a problem details object whose type is one of these.": "接口返回的每个错误都是一个 problem details 对象，其 type 为下列之一。",
    "Your vote was received": "您的投票已收到",
    "Your new vote replaces your earlier one. Only this one counts.": "新的投票已替换您之前的投票，只计这一次。",
    "Thank you. Your vote has been counted in the ballot box.": "谢谢！您的投票已放入票箱。",
    "Your receipt code": "您的回执查询码",
    "Write it down or take a screenshot. After the result is published you can use it to check that your vote was counted. It does not show how you voted.": "请抄下来或截图保存。结果公布后，可以用它查询您的票是否被计入。它不会显示您投了什么。",
    "Received in the hour starting %(hour)s.": "收到时间：%(hour)s 起的一小时内。",
    "See this ballot's page": "查看本次表决页面",
    "Your household has already voted. This ballot counts one vote per household.": "您家已经投过票了。本次表决一户一票。",
    "You have already voted. Your vote was counted.": "您已经投过票了，您的票已计入。",
    "You have already voted. You may vote again: only your last vote counts.": "您已经投过票了。可以重新投票：只计最后一次。",
    "Voting code (printed on your invitation)": "投票码（印在通知单上）",
    "Choice %(n)s": "第 %(n)s 选择",
    "(none)": "（不选）",
    "Submit my vote": "提交我的投票",
    "Logged in as %(name)s (%(role)s)": "已登录：%(name)s（%(role)s）",
    "Log out": "退出",
    "Voted: %(n)s": "已投：%(n)s",
    "Print invitations": "打印投票通知单",
    "Invitations as PDF": "通知单 PDF",
    "Public page": "公开页面",
    "No ballots yet. Create one with the API or the command line.": "还没有表决。请通过接口或命令行创建。",
    "Invitations": "投票通知单",
    "%(n)s invitations with new voting codes. Print them now: the codes are shown only once.": "共 %(n)s 张带新投票码的通知单。请现在打印：投票码只显示这一次。",
    "Print": "打印",
    "Back": "返回",
    "Everyone eligible already has an invitation. To replace a lost one, reissue that resident's code.": "所有有资格的居民都已领到通知单。如有遗失，请为该居民补发投票码。",
    "Scan the QR code with your phone (WeChat or the camera).": "用手机扫描二维码（微信或相机扫一扫）。",
    'Make your choices and tap "Submit my vote".': "按提示选择，点“提交我的投票”。",
    "Keep the receipt code shown afterwards.": "保存投票后显示的回执查询码。",
    "No smartphone? Bring this notice to the committee office to vote there, or ask family to help. This code is for you alone; do not pass it on.": "不会用手机？可带本通知到居委会现场投票，或请家人帮忙。本码仅限本人使用，请勿转交他人。",
    "User name": "用户名",
    "Password": "密码",
    "6-digit code from your authenticator app": "身份验证器上的 6 位动态码",
    "Log in": "登录",
    "Open voting": "开始投票",
    "Replace a lost invitation": "补发遗失的投票通知",
    "Name, building or room": "姓名、楼栋或门牌",
    "Search": "查找",
    "A new code replaces the old one at once: the old invitation stops working.": "补发的新投票码立即生效，旧通知单上的投票码同时作废。",
    "New code": "补发新码",
    "Issue code": "发放投票码",
    "Nobody eligible matches.": "没有符合条件的居民。",
    "Who took part (公示)": "参与投票名单（公示）",
    "%(n)s residents took part. Names are partly hidden. If your name is listed but you did not vote, tell the committee at once.": "共有 %(n)s 位居民参与投票，姓名已部分隐去。如果名单上有您，而您并没有投票，请立即告知居委会。",
    "Show the list": "显示名单",
    "Public board": "公示栏（公开记录）",
    "Every ballot cast is on this ballot's public board, in order, with no name attached. Nobody can change or remove an entry without the signed fingerprint below changing.": "每一张选票都按顺序记在本次表决的公示栏上，不带姓名。任何人改动或删除其中一条，下面签名的“指纹”都会随之改变。",
    "Entries: %(size)s. Fingerprint (root hash): %(root)s": "记录数：%(size)s。指纹（根哈希）：%(root)s",
    "Signed by key %(key)s.": "签名密钥：%(key)s。",
    "Download the board": "下载公示栏文件",
    "Check my vote": "查询我的投票",
    "How to check the count yourself": "自己核对计票结果",
    "Download the board file above.": "下载上面的公示栏文件。",
    "On any computer with Python, install this project's open source code with pip; the checker is its small tally part, which needs no server.": "在任何装有 Python 的电脑上，用 pip 安装本项目的开源代码；核对工具是其中很小的 tally 部分，不需要服务器。",
    "Run: tally verify ballot-%(id)s-board.jsonl": "运行：tally verify ballot-%(id)s-board.jsonl",
    'It checks every entry, the signature, that no ballot was added or changed, and recounts the result. It must end with "every check passed".': "它会检查每一条记录和签名，确认没有选票被增加或改动，并重新计票。最后必须显示“every check passed”（全部通过）。",
    "Keep your receipt code: tally verify --receipt CODE shows that your own ballot is on the board.": "请保存回执查询码：tally verify --receipt 查询码 可以证明您自己的选票在公示栏上。",
    "Receipt code": "回执查询码",
    "Check": "查询",
    "Included in the board at position %(n)s, verified.": "已记入公示栏第 %(n)s 条，核验通过。",
    "The proof from the server does not match its signed tree head. Please tell the committee.": "服务器给出的证明与其签名记录不符。请告知居委会。",
    "Your phone checked the proof itself: the vote is in the board.": "您的手机已自行核验证明：这张票在公示栏上。",
    "Your phone could not confirm the proof. Please tell the committee.": "您的手机未能核验该证明。请告知居委会。",
    "The board has %(size)s entries. Signed root: %(root)s": "公示栏共有 %(size)s 条记录。签名的根哈希：%(root)s",
    "Your receipt code shows that your ballot is counted as cast. It does not show how you voted to anyone who does not already know.": "回执查询码能证明您的选票按原样计入。它不会向别人透露您投了什么。",
    "Your ballot is entry %(n)s on the public board.": "您的选票是公示栏上的第 %(n)s 条记录。",
    "Scan this code later, or open the link below, to check that your vote is still on the board.": "以后扫描这个二维码或打开下面的链接，可以查询您的票是否仍在公示栏上。",
    "This receipt code is not on the board": "公示栏上没有这个回执查询码",
    "No ballot with receipt code {tracker} is on this ballot's board. Check the code, and that it belongs to this ballot.": "本次表决的公示栏上没有回执查询码为 {tracker} 的选票。请核对查询码，并确认它属于本次表决。",
    "No such tree size": "没有这个记录数",
    "The board has {size} entries; ask for sizes from 1 to {size}.": "公示栏共有 {size} 条记录；请查询 1 到 {size} 之间的记录数。",
    "action": "操作",
    "ballot": "表决",
    "chair": "主持人账号",
    "demo chair": "演示主持人账号",
    "elector": "投票人",
    "matter": "事项",
    "problem type": "错误类型",
    "unit": "单位",
    "Cancel ballot": "取消表决",
    "Close voting": "截止投票",
    "Publish result": "公布结果",
    "Voting is open.": "投票已开始。",
    "Voting is closed and the ballots are counted.": "投票已截止，计票完成。",
    "The result is published.": "结果已公布。",
    "The ballot is cancelled.": "表决已取消。",
}


def extract() -> list[str]:
    """Every message id in the source, in first-seen order."""
    seen: dict[str, None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map=OPTIONS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for text in ids:
            if text:
                seen.setdefault(text, None)
    return list(seen)


def main() -> int:
    catalog = Catalog(locale="zh_CN", project="luwan-vote", charset="utf-8")
    missing = []
    for message in extract():
        translation = ZH.get(message, "")
        if not translation:
            missing.append(message)
        catalog.add(message, translation)
    target = ROOT / "vote/locale/zh_CN/LC_MESSAGES/messages.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    for message in missing:
        print(f"untranslated: {message!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
