"""Notice pages: the notices for me (and past ones), write one, open one (with its receipts for the sender
and the coordinator), acknowledge an alert, end a notice early."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock
from hub.forms import saved
from hub.notices import bp
from hub.notices.forms import NoticeForm
from hub.notices.models import Notice
from hub.notices.service import (
    acknowledge,
    check_notice,
    create_notice,
    end_notice,
    groups_addressable_by,
    in_audience,
    mark_seen,
    may_address_hub,
    may_manage,
    may_read,
    notices_for,
    past_notices_for,
    receipts_of,
)
from hub.redirects import safe_next


def get_notice_or_404(notice_id, check=may_read):
    """The notice, if this account may read it (or pass `check`): 404 either way."""
    notice = Notice.get_or_none(Notice.id == notice_id)
    if notice is None or not check(g.user, notice):
        abort(404)
    return notice


@bp.get("", endpoint="list")
def list_notices():
    today = clock.today()
    past = request.args.get("show") == "past"
    notices = past_notices_for(g.user, today) if past else notices_for(g.user, today)
    if not past:
        mark_seen(g.user, notices)
    return render_template("hub/notices/list.html", notices=notices, past=past)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NoticeForm().offer(groups_addressable_by(g.user), may_address_hub(g.user))
    done = saved(
        form,
        lambda: create_notice(g.user, form.draft(), clock.today()),
        lambda notice: _("Alert sent.") if notice.urgent else _("Notice sent."),
        lambda notice: url_for("notices.view", notice_id=notice.id),
        check=lambda: check_notice(g.user, form.draft(), clock.today()),
    )
    if done:
        return done
    return render_template("hub/notices/form.html", form=form)


@bp.get("/<int:notice_id>")
def view(notice_id):
    notice = get_notice_or_404(notice_id)
    mark_seen(g.user, [notice])
    manage = may_manage(g.user, notice)
    return render_template("hub/notices/view.html", notice=notice, manage=manage,
                           receipts=receipts_of(notice) if manage else None,
                           current=notice.is_current(clock.today()), in_audience=in_audience(g.user, notice))


@bp.post("/<int:notice_id>/acknowledge", endpoint="acknowledge")
def acknowledge_notice(notice_id):
    notice = get_notice_or_404(notice_id, check=in_audience)
    acknowledge(g.user, notice)
    flash(_("Thank you. The sender can see that you have read it."), "success")
    return redirect(safe_next(request.form.get("next")))


@bp.post("/<int:notice_id>/end")
def end(notice_id):
    notice = get_notice_or_404(notice_id, check=may_manage)
    end_notice(g.user, notice)
    flash(_("The notice is no longer shown."), "success")
    return redirect(url_for("notices.view", notice_id=notice.id))
