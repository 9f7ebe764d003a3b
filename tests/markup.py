"""A checker for executable markup in a page: what an XSS payload would need to run."""

from html.parser import HTMLParser

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "base", "style", "frame", "frameset",
                  "applet", "math", "template", "noscript"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc", "background"}
# What the hub's own templates legitimately use.
OUR_LINKS = ("/static/", "/", "tel:", "#", "?")


class ExecutableMarkup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("src", "").startswith("/static/"):
            return  # the hub's own script file (CSP allows only same-origin scripts)
        if tag in DANGEROUS_TAGS or (tag == "meta" and any(name == "http-equiv" for name, _ in attrs)):
            self.findings.append(f"<{tag}>")
        for name, value in attrs:
            value = "".join((value or "").split()).lower()
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}>")
            elif name == "style":
                self.findings.append(f"<{tag} style>")
            elif name in URL_ATTRIBUTES and value and not value.startswith(OUR_LINKS):
                self.findings.append(f"<{tag} {name}={value[:40]}>")

    handle_startendtag = handle_starttag


def executable_markup(html):
    """Every tag or attribute in html through which script could run (empty for a safe page)."""
    parser = ExecutableMarkup()
    parser.feed(html)
    parser.close()
    return parser.findings
