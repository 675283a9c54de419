"""Trainings for KUBE members (bimbingan, bimtek): the event, who took part, who came and what they learnt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib.scoping import ScopedQuerySet, ScopeUser


class TrainingQuerySet(ScopedQuerySet["Training"]):
    region_path = "region__code"
    # A facilitator sees the trainings its groups' members took part in.
    facilitator_path = "participants__membership__kube__facilitator"

    def extra_visible(self, user: ScopeUser) -> Q | None:
        """Besides the trainings organised for the user's region, those its groups' members took part in."""
        return Q(pk__in=Participant.objects.visible_to(user).values("training_id"))


class Training(models.Model):
    """A training event for KUBE members: motivation, bookkeeping or a technical skill."""

    class Kind(models.TextChoices):
        MOTIVATION = "motivation", _("Motivation")
        BOOKKEEPING = "bookkeeping", _("Bookkeeping")
        TECHNICAL = "technical", _("Technical skills")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=Kind)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    trainer = models.CharField(_("trainer"), max_length=150)
    place = models.CharField(_("place"), max_length=200)
    # The region the training is organised for (the regency, or one kecamatan); scope follows it.
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    objects = TrainingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="training_training_dates_in_order")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:training-detail", args=[self.pk])


class ParticipantQuerySet(ScopedQuerySet["Participant"]):
    region_path = "membership__kube__village__code"
    facilitator_path = "membership__kube__facilitator"


class Participant(models.Model):
    """A KUBE member invited to a training: whether they came and the skills they gained."""

    training = models.ForeignKey(Training, models.CASCADE, related_name="participants", verbose_name=_("training"))
    membership = models.ForeignKey(
        "groups.Membership", models.PROTECT, related_name="trainings", verbose_name=_("membership")
    )
    attended = models.BooleanField(_("attended"), default=False)
    skills = models.CharField(_("skills gained"), max_length=255, blank=True)

    objects = ParticipantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["membership__kube__name", "membership__person__name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["training", "membership"], name="training_participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.person} · {self.training}"
