"""Services directory pages: the directory (filtered by category), add a service, edit or archive one."""

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _

from hub.auth.models import User
from hub.forms import saved
from hub.protocols.service import CATEGORY_LABELS
from hub.services import bp
from hub.services.forms import EditServiceForm, ServiceForm
from hub.services.models import Service
from hub.services.service import categories_of, check_service, create_service, directory, update_service


def get_service_or_404(service_id):
    """The service with this id."""
    return Service.get_or_none(Service.id == service_id) or abort(404)


def _check(form, service=None):
    return check_service(form.name.data, form.kind.data, form.phone.data, form.address.data, form.categories.data,
                         service)


@bp.get("", endpoint="list")
def list_services():
    category = request.args.get("category", "")
    category = category if category in CATEGORY_LABELS else ""
    # The coordinator also sees archived services, to bring one back.
    services = directory(category, archived=g.user.role == User.COORDINATOR and not category)
    return render_template("hub/services/list.html", services=services, category=category,
                           category_labels=CATEGORY_LABELS, categories_of=categories_of)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ServiceForm()
    done = saved(
        form,
        lambda: create_service(**form.values()),
        lambda service: _("Service %(name)s added.", name=service.name),
        url_for("services.list"),
        check=lambda: _check(form),
    )
    if done:
        return done
    return render_template("hub/services/form.html", form=form, service=None)


@bp.route("/<int:service_id>", methods=["GET", "POST"])
def edit(service_id):
    service = get_service_or_404(service_id)
    form = EditServiceForm(obj=service, categories=categories_of(service),
                           state="archived" if service.archived else "active")
    done = saved(
        form,
        lambda: update_service(service, **form.values(), archived=form.state.data == "archived"),
        _("Service %(name)s saved.", name=service.name),
        url_for("services.list"),
        check=lambda: _check(form, service),
    )
    if done:
        return done
    return render_template("hub/services/form.html", form=form, service=service)
