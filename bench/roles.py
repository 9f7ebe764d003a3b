"""The everyday path of each role (issue 23): the pages every role opens all day, budgeted as server CPU per
request over hello world's, measured in the same rounds as the latency figures.

Each entry: (label, server kind: "hub" or "big" (the big village's hub), path, demo username or None for a
visitor, BUDGETS key). A page whose id the session could not find is reported "not available".
"""

from bench import roster, savings_group

VISITOR, PAGE, BIG_PAGE = "visitor_cpu_ratio", "page_cpu_ratio", "big_page_cpu_ratio"


def pages(session):
    """[(label, server kind, path or None, username, budget key, why not available)] in report order."""
    ids, big = session.ids, session.big
    group = ids.get("group_of_80")
    meeting = session.roster_meeting_id
    cycle, member = session.savings_ids or (None, None)
    found = [
        ("visitor: home", "hub", "/", None, VISITOR),
        ("facilitator: home", "hub", "/", roster.USERNAME, PAGE),
        ("facilitator: roster of 80", "hub", meeting and roster.roster_path(meeting), roster.USERNAME, PAGE),
        ("facilitator: group page of 80", "hub", group and f"/groups/{group}", roster.USERNAME, PAGE),
        ("facilitator: people list", "hub", "/people", roster.USERNAME, PAGE),
        ("case worker: home", "hub", "/", "caseworker", PAGE),
        ("case worker: case list", "hub", "/cases", "caseworker", PAGE),
        ("case worker: case page", "hub", ids.get("case") and f"/cases/{ids['case']}", "caseworker", PAGE),
        ("member: home", "hub", "/", savings_group.USERNAME, PAGE),
        ("member: passbook of 3 years", "hub", cycle and f"/savings/{cycle}/passbook/{member}",
         savings_group.USERNAME, PAGE),
        ("member: group ledger of 3 years", "hub", cycle and f"/savings/{cycle}/ledger", savings_group.USERNAME,
         PAGE),
        ("coordinator: accounts", "hub", "/accounts", "coordinator", PAGE),
        ("coordinator: audit log", "hub", "/audit", "coordinator", PAGE),
    ]
    members = f"{big.members:,}" if big and big.members else "1,000"
    found += [
        (f"big village, facilitator: group page of {members} children", "big",
         big and big.group_id and f"/groups/{big.group_id}", roster.USERNAME, BIG_PAGE),
        (f"big village, facilitator: roster of {members} children", "big",
         big and big.meeting_id and roster.roster_path(big.meeting_id), roster.USERNAME, BIG_PAGE),
    ]
    why = {"hub": "", "big": (big.missing if big else "no big village") or "the big village has no such page"}
    return [(label, kind, path or None, user, budget, "" if path else (why[kind] or "the seeded hub lacks it"))
            for label, kind, path, user, budget in found]
