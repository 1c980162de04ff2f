"""Printable invitations: QR codes (SVG for HTML print pages, PNG) and the A4 invitation PDF.

``qr`` turns a URL into a QR code; ``pdf`` lays out four invitations per A4 page for the
chair to print, cut and hand to residents.
"""

from vote.printing.pdf import render_invitations_pdf
from vote.printing.qr import qr_matrix, qr_png, qr_svg

__all__ = ["qr_matrix", "qr_png", "qr_svg", "render_invitations_pdf"]
