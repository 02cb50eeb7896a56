"""Close the registered deployment's parameter schema: ``python -m commands.deploy_schema``, run by
scripts/deploy.sh after ``prefect deploy``.

Prefect builds a flow's schema from its signature with no ``additionalProperties``, so with the
parameters flat (one run-form field each) the server would accept a value for no field and the
run would crash on the worker without naming it. With ``additionalProperties: false`` the
server refuses such a run when it is asked for ("Additional properties are not allowed"), as it
did while the parameters were one model with ``extra="forbid"``.
"""

import asyncio

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import DeploymentUpdate

DEPLOYMENT = "weekly-briefing/weekly"


async def close_schema(name: str = DEPLOYMENT) -> None:
    """Set ``additionalProperties: false`` on the named deployment's parameter schema."""
    async with get_client() as client:
        deployment = await client.read_deployment_by_name(name)
        schema = {**(deployment.parameter_openapi_schema or {}), "additionalProperties": False}
        await client.update_deployment(
            deployment.id, DeploymentUpdate(parameter_openapi_schema=schema)
        )


if __name__ == "__main__":
    asyncio.run(close_schema())
