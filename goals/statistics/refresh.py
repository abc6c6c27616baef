"""Re-reading the configured sources: by the worker on a schedule (goals.tasks) and by
`manage.py refresh_statistics` for cron. A refresh writes like a confirmed preview (the
same plan, all or nothing) and is recorded as a reading of origin "refresh"; its changes of
published numbers appear under "Änderungen seit"."""

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from concept.locking import StaleVersion
from goals import services
from goals.models import StatisticsImport, StatisticsRegion
from goals.statistics.base import StatisticsFileError
from goals.statistics.files import location_folder
from goals.statistics.plan import Plan, plan_folder

logger = logging.getLogger(__name__)

# The worker looks again at least this often, and not more often than this.
LONGEST_WAIT = dt.timedelta(days=1)
SHORTEST_WAIT = dt.timedelta(hours=1)


@dataclass
class Outcome:
    region: StatisticsRegion
    plan: Plan | None = None
    error: str = ""


def refreshable():
    return (
        StatisticsRegion.objects.exclude(source__location="")
        .select_related("source", "concept")
        .order_by("concept__slug", "source__name")
    )


def refresh_region(region: StatisticsRegion, *, dry_run: bool = False) -> Outcome:
    """Read one configured source for its concept; a refusal is kept as the outcome's error
    (and logged), never half written."""
    try:
        with location_folder(region.source.location) as folder:
            plan = plan_folder(
                concept=region.concept,
                source=region.source,
                region_key=region.region_key,
                folder=folder,
            )
        if not dry_run:
            services.statistics_import_apply(
                plan=plan, user=None, origin=StatisticsImport.Origin.REFRESH
            )
    except StatisticsFileError as error:
        return _failed(region, error.message)
    except StaleVersion as conflict:
        return _failed(region, conflict.message)
    except ValidationError as error:
        return _failed(region, " ".join(error.messages))
    return Outcome(region, plan)


def _failed(region, message) -> Outcome:
    logger.warning(
        "Refreshing statistics %s for %s failed: %s", region.source, region.concept, message
    )
    return Outcome(region, error=message)


def refresh_due(*, now=None, concept=None, force=False, dry_run=False) -> list[Outcome]:
    """Refresh the sources whose interval has passed (force: every configured source)."""
    now = now or timezone.now()
    regions = refreshable()
    if concept is not None:
        regions = regions.filter(concept=concept)
    return [
        refresh_region(region, dry_run=dry_run)
        for region in regions
        if force or region.refresh_due(now)
    ]


def next_run(now=None) -> dt.datetime:
    """When the worker should look next: when the first source falls due, within limits."""
    now = now or timezone.now()
    due = [
        now if region.read_at is None else region.read_at + dt.timedelta(days=region.refresh_days)
        for region in refreshable().filter(refresh_days__isnull=False)
    ]
    wait = min(due, default=now + LONGEST_WAIT) - now
    return now + min(max(wait, SHORTEST_WAIT), LONGEST_WAIT)
