"""The words static/outbox.js shows, in the language of the person signed in: the phone keeps them with the
plan, so it speaks the same language out of range. Placeholders such as %(count)s are filled by the script."""

from flask_babel import gettext as _


def outbox_texts():
    """{name: translated text} for the outbox script."""
    return {
        "kept": _("Kept on this phone; it will be sent when you are back near the hub."),
        "count": _("Kept on this phone, not yet sent: %(count)s."),
        "see": _("See them"),
        "expiry": _("Not sent by %(day)s, they are deleted from this phone."),
        "expires": _("Deleted from this phone on %(day)s if not sent."),
        "sent": _("Sent to the hub: %(count)s."),
        "none": _("Nothing is waiting on this phone."),
        "conflict": _("Changed on the hub since this was filled in. Compare, then choose."),
        "hub": _("On the hub"),
        "mine": _("Yours"),
        "keep_mine": _("Send mine"),
        "keep_hub": _("Keep the hub's (delete mine)"),
        "refused": _("The hub refused this:"),
        "delete": _("Delete"),
        "other": _("Kept for another account: it is sent when that person signs in on this phone."),
        "signout": _("Forms kept on this phone and not yet sent: %(count)s. Signing out deletes them. "
                     "Sign out anyway?"),
        "concern": _("Concern"),
        "roster": _("Attendance"),
        "visit": _("Follow-up visit"),
        "ready": _("Ready on this phone away from the hub:"),
    }
