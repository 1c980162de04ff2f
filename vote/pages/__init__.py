"""Server-rendered pages: voting, public results and decision records, and the chair's pages."""
