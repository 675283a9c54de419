"""Training over the API: the trainings of the caller's scope (a facilitator: those its groups' members attended)."""

import datetime as dt

from django.db.models import QuerySet
from ninja import ModelSchema, Router
from ninja.pagination import paginate

from berdaya.lib.api import ErrorOut, KeysetPagination, get_visible, require
from berdaya.lib.http import AuthedRequest
from berdaya.lib.scoping import region_q

from .models import Participant, Training

router = Router(tags=["training"])


class TrainingOut(ModelSchema):
    class Meta:
        model = Training
        fields = ["id", "title", "kind", "starts_on", "ends_on", "trainer", "place", "region"]


@router.get("/trainings", response=list[TrainingOut], operation_id="training_trainings_list")
@paginate(KeysetPagination)
def trainings_list(
    request: AuthedRequest, kube: int | None = None, region: str = "", since: dt.date | None = None
) -> QuerySet[Training]:
    """Trainings of your scope: attended by members of a `kube`, held in a `region`, starting `since` a day on."""
    require(request, "training.view_training")
    trainings = Training.objects.visible_to(request.user)
    if kube is not None:
        trainings = trainings.filter(pk__in=Participant.objects.filter(membership__kube_id=kube).values("training_id"))
    if region:
        trainings = trainings.filter(region_q("region__code", region))
    if since is not None:
        trainings = trainings.filter(starts_on__gte=since)
    return trainings


@router.get(
    "/trainings/{pk}",
    response={200: TrainingOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="training_trainings_detail",
)
def trainings_detail(request: AuthedRequest, pk: int) -> Training:
    """One training of your scope."""
    require(request, "training.view_training")
    return get_visible(Training.objects.visible_to(request.user), pk)
