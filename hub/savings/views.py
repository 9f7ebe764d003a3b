"""Savings pages: the cycles, a cycle's totals and loans, its meetings and entries, the two keys,
corrections, the share-out, and each member's printable passbook."""

from types import SimpleNamespace

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from hub import clock, db
from hub.forms import EmptyForm, apply_error, saved
from hub.groups.models import Group
from hub.i18n import when
from hub.pagecache import PageCache
from hub.prepared import Prepared
from hub.savings import books, bp, money
from hub.savings.cycles import (
    accounts_for,
    add_new_members,
    check_cycle,
    check_link,
    create_cycle,
    get_member,
    link_account,
    members_of,
)
from hub.savings.entries import check_entry, check_loan, record_entry, request_loan, set_plausible_max
from hub.savings.forms import (
    CycleForm,
    EntryForm,
    LinkForm,
    LoanForm,
    MeetingForm,
    RangeForm,
    ReverseForm,
    ShareOutForm,
    member_choices,
)
from hub.savings.keys import (
    approve,
    pending_two_key,
    propose_share_out,
    reverse,
    share_out_plan,
)
from hub.savings.meetings import Line, check_meeting, meetings_of, record_meeting
from hub.savings.models import SavingsCycle, SavingsEntry
from hub.savings.service import SavingsError, balances, shared_out
from hub.savings.standing import standing_in, visible_cycles

# The long parts of the passbook and the ledger (three years of weekly meetings is a thousand lines), rendered
# once and kept until the database changes: the key holds its generation, which grows with every commit.
_fragments = PageCache()


def fragment(key, render):
    """render()'s result for key, from memory while nothing in the database (or the language, or the day)
    changed. Only call it once the account is known to be allowed to see what it renders."""
    key = (db.database.database, db.database.generation, str(get_locale()), clock.today(), *key)
    found = _fragments.get(key)
    if found is None:
        found = render()
        _fragments.put(key, found)
    return found


def day_writer():
    """A short date writer that formats each distinct day once."""
    days = {}

    def day(value):
        if value not in days:
            days[value] = when(value)
        return days[value]

    return day


_CYCLE = Prepared(lambda cycle_id: SavingsCycle.select(SavingsCycle, Group).join(Group)
                  .where(SavingsCycle.id == cycle_id).limit(1), int)


def get_cycle_or_404(cycle_id):
    """(cycle, Standing) when the cycle exists and this account may see it (need to know: 404 either way)."""
    cycle = _CYCLE.first(cycle_id)
    standing = standing_in(g.user, cycle) if cycle is not None else None
    if standing is None:
        abort(404)
    return cycle, standing


def get_keeper_cycle_or_404(cycle_id):
    """As get_cycle_or_404, and refused (403) to a member who is not an officer: she reads, officers write."""
    cycle, standing = get_cycle_or_404(cycle_id)
    if not standing.records:
        abort(403)
    return cycle, standing


def get_entry_or_404(entry_id):
    entry = SavingsEntry.get_or_none(SavingsEntry.id == entry_id) or abort(404)
    return entry, *get_cycle_or_404(entry.cycle_id)


@bp.get("", endpoint="index")
def index():
    return render_template("hub/savings/index.html", cycles=visible_cycles(g.user))


@bp.route("/new", methods=["GET", "POST"])
def new_cycle():
    groups = list(Group.active())
    groups.sort(key=lambda group: group.kind != Group.MOTHERS_GROUP)  # mothers' groups first
    form = CycleForm()
    form.group.choices = [(str(group.id), group.name) for group in groups]
    if request.method == "GET":
        form.starts_on.data = clock.today()
        form.rate.data = "2"
    group = next((group for group in groups if str(group.id) == form.group.data), None)
    fields = (form.name.data, form.starts_on.data, form.ends_on.data, form.share_value.data,
              form.social_amount.data, form.rate.data)
    done = saved(form, lambda: create_cycle(group, *fields, user=g.user),
                 lambda cycle: _("Savings cycle %(name)s started.", name=cycle.name),
                 lambda cycle: url_for("savings.members", cycle_id=cycle.id), check=lambda: check_cycle(group, *fields))
    if done:
        return done
    return render_template("hub/savings/cycle_form.html", form=form)


@bp.get("/<int:cycle_id>")
def cycle(cycle_id):
    cycle, standing = get_cycle_or_404(cycle_id)
    now = balances(cycle)
    loans = books.loans(cycle, now) if standing.sees_all else []
    return render_template("hub/savings/cycle.html", cycle=cycle, standing=standing, now=now,
                           members=members_of(cycle) if standing.sees_all else [], loans=loans,
                           pending=pending_two_key(cycle), meetings=meetings_of(cycle)[:5],
                           closed=shared_out(cycle), key_form=EmptyForm())


@bp.get("/<int:cycle_id>/ledger")
def ledger(cycle_id):
    cycle, standing = get_cycle_or_404(cycle_id)
    if not standing.sees_all:
        abort(403)
    before = request.args.get("before", type=int)

    def render():
        lines, next_before = books.ledger_page(cycle, before)
        return Markup(render_template("hub/savings/_ledger_body.html", cycle=cycle, lines=lines,
                                      next_before=next_before, before=before, standing=standing,
                                      day=day_writer()))

    body = fragment(("ledger", cycle.id, before, standing.records), render)
    return render_template("hub/savings/ledger.html", cycle=cycle, body=body)


@bp.get("/<int:cycle_id>/passbook/<int:member_id>")
def passbook(cycle_id, member_id):
    # Who may read it and what it shows change only with a write: the page is kept per account (need to know is
    # decided inside, and a refusal is never kept), language and day.
    title, page = fragment(("passbook page", g.user.id, g.user.role, cycle_id, member_id),
                           lambda: _passbook_page(cycle_id, member_id))
    return render_template("hub/savings/passbook.html", title=title, page=page)


def _passbook_page(cycle_id, member_id):
    """(title, Markup) of the member's passbook for the signed-in account, or 404 when it may not read it."""
    cycle, standing = get_cycle_or_404(cycle_id)
    if not standing.sees_all and (standing.member is None or standing.member.id != member_id):
        abort(404)
    member = standing.member if standing.member and standing.member.id == member_id else None
    try:
        member = member or get_member(cycle, member_id)
    except SavingsError:
        abort(404)

    def render():
        lines, now = books.passbook(member)  # her balances too: no need to sum the whole cycle's ledger
        return now, Markup(render_template("hub/savings/_passbook_body.html", lines=lines, day=day_writer(),
                                           loans=books.loans(cycle, now, member=member)))

    now, body = fragment(("passbook", member.id), render)  # the same for every account that may read it
    return member.person.name, Markup(render_template("hub/savings/_passbook_page.html", cycle=cycle,
                                                      member=member, now=now, body=body))


def _link_form(people, cycle, accounts=None):
    form = LinkForm()
    form.member.choices = member_choices(people)
    form.account.choices = [("", _("No account"))] + [(str(a.id), f"{a.display_name} ({a.username})")
                                                      for a in accounts or accounts_for(cycle)]
    return form


@bp.route("/<int:cycle_id>/members", methods=["GET", "POST"])
def members(cycle_id):
    cycle, _standing = get_cycle_or_404(cycle_id)
    people = members_of(cycle)
    accounts = accounts_for(cycle)
    form = _link_form(people, cycle, accounts)
    member = next((m for m in people if str(m.id) == form.member.data), None)
    account = next((a for a in accounts if str(a.id) == form.account.data), None)
    done = saved(form, lambda: link_account(cycle, member, account, user=g.user), _("Saved."),
                 url_for("savings.members", cycle_id=cycle.id), check=lambda: check_link(cycle, member, account))
    if done:
        return done
    return render_template("hub/savings/members.html", cycle=cycle, people=people, form=form,
                           add_form=EmptyForm(), range_form=_range_form(cycle))


def _range_form(cycle, form=None):
    form = form or RangeForm(formdata=None)
    if not form.is_submitted():
        form.plausible_max.data = money.major(cycle.plausible_max) if cycle.plausible_max else ""
    return form


@bp.post("/<int:cycle_id>/range")
def plausible_range(cycle_id):
    cycle, _standing = get_cycle_or_404(cycle_id)
    form = RangeForm()
    done = saved(form, lambda: set_plausible_max(cycle, form.plausible_max.data, user=g.user), _("Saved."),
                 url_for("savings.members", cycle_id=cycle.id))
    if done:
        return done
    people = members_of(cycle)
    return render_template("hub/savings/members.html", cycle=cycle, people=people, form=_link_form(people, cycle),
                           add_form=EmptyForm(), range_form=_range_form(cycle, form)), 400


@bp.post("/<int:cycle_id>/members/add")
def add_members(cycle_id):
    cycle, _standing = get_cycle_or_404(cycle_id)
    if EmptyForm().validate_on_submit():
        added = add_new_members(cycle, user=g.user)
        flash(_("Members added: %(count)d.", count=added), "success")
    return redirect(url_for("savings.members", cycle_id=cycle.id))


def _sheet_errors(form, error):
    """Show a meeting's errors: those of the sheet's lines are returned, to go beside their line."""
    lines = {name: message for name, message in error.errors if (name or "").startswith("shares-")}
    apply_error(form, SimpleNamespace(errors=[(name, message) for name, message in error.errors
                                              if name not in lines]), fresh_only=True)
    return lines


@bp.route("/<int:cycle_id>/meetings/new", methods=["GET", "POST"])
def meeting(cycle_id):
    cycle, _standing = get_keeper_cycle_or_404(cycle_id)
    people = members_of(cycle)
    form = MeetingForm()
    line_errors = {}
    if request.method == "GET":
        form.held_on.data = clock.today()
    present = set(request.form.getlist("present"))
    social = set(request.form.getlist("social"))
    shares = {str(m.id): request.form.get(f"shares-{m.id}", "") for m in people}
    lines = [Line(m.id, str(m.id) in present, shares[str(m.id)], str(m.id) in social) for m in people]
    if form.is_submitted():
        try:
            if not form.validate():  # the sheet's lines are checked too, so every error shows in one pass
                check_meeting(cycle, form.held_on.data, lines)
            else:
                record_meeting(cycle, form.held_on.data, lines, user=g.user)
                flash(_("Meeting recorded."), "success")
                return redirect(url_for("savings.cycle", cycle_id=cycle.id))
        except SavingsError as error:
            line_errors = _sheet_errors(form, error)
    return render_template("hub/savings/meeting.html", cycle=cycle, people=people, form=form,
                           posted=request.method == "POST", present=present, social=social, shares=shares,
                           line_errors=line_errors)


@bp.route("/<int:cycle_id>/entries/new", methods=["GET", "POST"])
def record(cycle_id):
    cycle, _standing = get_keeper_cycle_or_404(cycle_id)
    now = balances(cycle)
    form = EntryForm()
    form.member.choices = member_choices(members_of(cycle), empty=_("Not a member's (the business)"))
    form.loan.choices = [("", _("Not a repayment"))] + [
        (str(loan.entry.id), _("%(name)s: %(owed)s still owed", name=loan.entry.member.person.name,
                                owed=money.show(loan.outstanding)))
        for loan in books.repayable(cycle, now)]
    if request.method == "GET":
        form.on_day.data = clock.today()
        form.kind.data = request.args.get("kind", "deposit")
        form.member.data = request.args.get("member", "")
        form.loan.data = request.args.get("loan", "")
    entry = {"member": form.member.data, "loan": form.loan.data, "note": form.note.data,
             "confirmed": bool(form.confirm.data)}
    fields = (cycle, form.kind.data, form.amount.data, form.on_day.data)
    done = saved(form, lambda: record_entry(*fields, **entry, user=g.user), _("Entry recorded."),
                 url_for("savings.cycle", cycle_id=cycle.id), check=lambda: check_entry(*fields, **entry))
    if done:
        return done
    return render_template("hub/savings/entry.html", cycle=cycle, form=form, now=now)


@bp.route("/<int:cycle_id>/loans/new", methods=["GET", "POST"])
def loan(cycle_id):
    cycle, _standing = get_keeper_cycle_or_404(cycle_id)
    form = LoanForm()
    form.member.choices = member_choices(members_of(cycle), empty=_("Choose the borrower"))
    if request.method == "GET":
        form.on_day.data = clock.today()
        form.rate.data = str(cycle.rate_bp / 100).removesuffix(".0")
        form.months.data = "3"
    fields = (cycle, form.member.data, form.amount.data, form.months.data, form.rate.data, form.on_day.data,
              form.note.data)
    done = saved(
        form,
        lambda: request_loan(*fields, user=g.user, confirmed=bool(form.confirm.data)),
        lambda entry: _(
            "Loan of %(amount)s to %(name)s recorded: it counts once two officers approve it.",
            amount=money.show(entry.amount),
            name=entry.member.person.name,
        ),
        url_for("savings.cycle", cycle_id=cycle.id),
        check=lambda: check_loan(*fields, confirmed=bool(form.confirm.data)),
    )
    if done:
        return done
    return render_template("hub/savings/loan.html", cycle=cycle, form=form, now=balances(cycle))


@bp.post("/entries/<int:entry_id>/approve")
def approve_entry(entry_id):
    entry, cycle, _standing = get_entry_or_404(entry_id)
    if EmptyForm().validate_on_submit():
        try:
            approve(entry, user=g.user)
        except SavingsError as error:
            flash(str(error), "error")
        else:
            flash(_("Your approval is recorded."), "success")
    return redirect(url_for("savings.cycle", cycle_id=cycle.id))


@bp.route("/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
def reverse_entry(entry_id):
    entry, cycle, standing = get_entry_or_404(entry_id)
    if not standing.records:
        abort(403)
    form = ReverseForm()
    done = saved(
        form,
        lambda: reverse(entry, form.reason.data, user=g.user),
        _("The entry is reversed: it no longer counts in any balance."),
        url_for("savings.cycle", cycle_id=cycle.id),
    )
    if done:
        return done
    return render_template("hub/savings/reverse.html", cycle=cycle, entry=entry, form=form)


@bp.route("/<int:cycle_id>/share-out", methods=["GET", "POST"])
def share_out(cycle_id):
    cycle, _standing = get_keeper_cycle_or_404(cycle_id)
    form = ShareOutForm()
    if request.method == "GET":
        form.on_day.data = clock.today()
    done = saved(
        form,
        lambda: propose_share_out(cycle, form.on_day.data, user=g.user),
        _("Share-out worked out: it counts once two officers approve it."),
        url_for("savings.cycle", cycle_id=cycle.id),
    )
    if done:
        return done
    plan = share_out_plan(cycle)
    names = {member.id: member.person.name for member in members_of(cycle)}
    return render_template("hub/savings/share_out.html", cycle=cycle, form=form, now=balances(cycle),
                           plan=[(names[m], a, p) for m, (a, p) in plan.items()])
