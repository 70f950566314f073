from celery import shared_task

from joinforces.core.services import job_run

from . import services


@shared_task(name="accounts.data_export")
def account_data_export_task(job_id: str) -> str:
    return job_run(job_id, services.account_data_export_build).status
