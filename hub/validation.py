"""Errors that name a form field, in one tree, and the collector that finds them all in one pass.

Each area's service raises its own subclass of FieldError (CaseError, MeetingError, ...): str() says why,
`field` names the form field (None: the form as a whole), and `errors` holds every (field, message) the
check found, so a form shows all of them beside their fields at once instead of one per submit. Views
show them with hub.forms.apply_error (or hub.forms.saved, which also does the Post/Redirect/Get).

Each form's rules live in one `check_<thing>()` of its area's service, which collects every refusal with
Problems (a rule whose field is missing or malformed is left to the form) and which the write calls
before it writes; when the form itself refuses a field, the view runs the same check too
(`saved(..., check=...)` or hub.forms.check_too), so one submit shows the form's errors and the rules'.
"""


class FieldError(ValueError):
    """A value the hub refuses; str() says why, field names the form field, errors lists every refusal."""

    def __init__(self, message, field=None, more=()):
        super().__init__(message)
        self.field = field
        self.errors = ((field, str(message)),) + tuple(more)


class Problems:
    """Collect the refusals of one check, then raise them together as one error_class.

        problems = Problems(MeetingError)
        if plan.kind not in Meeting.KINDS:
            problems.add(_("Choose a kind of session from the list."), "kind")
        day = problems.check(parse_day, plan.day)   # a FieldError raised inside is collected
        problems.done()                              # raises MeetingError with every error found
    """

    def __init__(self, error_class=FieldError):
        self.error_class = error_class
        self.found = []

    def __bool__(self):
        return bool(self.found)

    def add(self, message, field=None):
        """Note one refusal (the first for a field wins: it is what the person fixes first)."""
        if field is None or field not in self.fields():
            self.found.append((field, str(message)))

    def fields(self):
        """The fields with a refusal so far."""
        return {field for field, _message in self.found}

    def check(self, function, *args, **kwargs):
        """function(*args, **kwargs), or None when it raised a FieldError (its errors are collected)."""
        try:
            return function(*args, **kwargs)
        except FieldError as error:
            for field, message in error.errors:
                self.add(message, field)
            return None

    def done(self):
        """Raise every refusal found as one error_class; nothing when all was well."""
        if self.found:
            (field, message), *more = self.found
            raise self.error_class(message, field, more)
