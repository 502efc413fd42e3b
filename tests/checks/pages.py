"""Page bodies shared by the check tests."""

from __future__ import annotations

REPORT = (
    b"<!doctype html><html><head><title>Annual labour market report 2019</title></head>"
    b"<body><h1 id='intro'>Annual labour market report</h1>"
    b"<p>The unemployment rate was 4.2 percent in the county during 2019, down from"
    b" 4.9 percent a year earlier, according to the survey of households.</p>"
    b"<h2 id='methods'>Methods</h2>"
    b"<p>Estimates come from the monthly household survey, weighted to population"
    b" controls, with standard errors reported in the appendix tables.</p>"
    b"</body></html>"
)

HOME = (
    b"<!doctype html><html><head><title>County statistics office</title></head><body>"
    b"<h1>Welcome to the county statistics office</h1><p>Find reports, data tables and"
    b" releases about employment, housing and population in the county.</p></body></html>"
)

NOT_FOUND_PAGE = (
    b"<!doctype html><html><head><title>Page not found</title></head><body>"
    b"<h1>Page not found</h1><p>Sorry, the page you are looking for does not exist or"
    b" has moved.</p><p><a href='/'>Go to the home page</a></p></body></html>"
)

PARKED = (
    b"<!doctype html><html><head><title>statsoffice-example.com</title></head><body>"
    b"<h1>statsoffice-example.com</h1><p>This domain is for sale!</p>"
    b"<p>Buy this domain today. Make an offer.</p></body></html>"
)

LOGIN = (
    b"<!doctype html><html><head><title>Sign in</title></head><body><h1>Sign in</h1>"
    b"<form method='post' action='/login'><input type='text' name='user'>"
    b"<input type='password' name='pass'><button>Sign in</button></form></body></html>"
)

CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<noscript>Enable JavaScript and cookies to continue</noscript>"
    b"<script>window._cf_chl_opt={cvId: '3'};</script></body></html>"
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
