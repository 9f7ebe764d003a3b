"""Templates' `_`, `gettext` and `ngettext` (hub.i18n.TemplateCatalog): translated in the page's language, with
Jinja's newstyle semantics: the variables escaped, "%%" a percent sign, a text without variables kept."""

from flask import render_template_string
from flask_babel import force_locale


def rendered(app, source, language="bn", **context):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        return render_template_string(source, **context)


def test_gettext__a_variable_holding_markup_is_escaped_inside_the_translation(app):
    page = rendered(app, '{{ _("Reported %(day)s", day=day) }}', day="<script>alert(1)</script>")
    assert page == "&lt;script&gt;alert(1)&lt;/script&gt; তারিখে জানানো হয়েছে"


def test_gettext__without_variables_is_translated_in_each_language(app):
    source = '{{ _("Cases") }}|{{ gettext("Cases") }}'
    assert rendered(app, source, "bn") == "কেস|কেস"
    assert rendered(app, source, "es") == "Casos|Casos"  # the kept text is the language's own
    assert rendered(app, source, "en") == "Cases|Cases"


def test_gettext__percent_signs_follow_newstyle_semantics(app):
    source = '{{ _("%(done)d of %(total)d actions done (%(percent)d%%)", done=1, total=4, percent=25) }}'
    assert rendered(app, source, "es") == "1 de 4 acciones hechas (25%)"
    assert rendered(app, '{{ _("50%% <b>") }}', "en") == "50% <b>"  # the template's own text is markup


def test_ngettext__chooses_the_form_in_each_language(app):
    source = '{{ ngettext("%(num)d new notice", "%(num)d new notices", n) }}'
    assert rendered(app, source, "en", n=1) == "1 new notice"
    assert rendered(app, source, "en", n=3) == "3 new notices"
    assert rendered(app, source, "bn", n=3) == "3টি নতুন নোটিশ"


def test_gettext__in_a_macro_imported_without_context(app):
    # The macro's module has no render context: the catalog is looked up for the request instead.
    app.jinja_env.globals["made_while_clock_suspect"] = lambda when, record: True
    page = rendered(app, '{% from "_macros.html" import clock_mark %}{{ clock_mark("2026-01-01") }}', "es")
    assert "⚠" in page and "clock unsure" not in page


def test_gettext__follows_a_language_forced_for_a_printed_sheet(app):
    # A poster is printed in the village's language inside a page in the reader's (hub.i18n.printed_in).
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        outer = render_template_string('{{ _("Cases") }}')
        with force_locale("bn"):
            inner = render_template_string('{{ _("Cases") }}')
        again = render_template_string('{{ _("Cases") }}')
    assert (outer, inner, again) == ("Casos", "কেস", "Casos")
