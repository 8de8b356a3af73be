"""Schedules through the official Python SDK (temporalio from PyPI) against a Tempora server.

Usage: python3 tests/python/schedules_test.py <host:port>
Creates a schedule firing every second, waits for two actions, describes, lists, pauses, triggers and deletes it.
Exits non-zero (an AssertionError or an SDK error) when something is off. Run by tests/src/python-schedules.test.ts.
"""

import asyncio
import sys
import time
import uuid
from datetime import timedelta

from temporalio import workflow
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleDescription,
    ScheduleIntervalSpec,
    ScheduleSpec,
    ScheduleState,
)
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker


@workflow.defn
class ScheduledWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        return f"hello {name}"


async def wait_for_actions(client: Client, schedule_id: str, count: int, timeout: float = 30) -> ScheduleDescription:
    deadline = time.monotonic() + timeout
    while True:
        described = await client.get_schedule_handle(schedule_id).describe()
        if described.info.num_actions >= count:
            return described
        assert time.monotonic() < deadline, f"{schedule_id}: {described.info.num_actions} actions, wanted {count}"
        await asyncio.sleep(0.2)


async def eventually(check, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def main(address: str) -> None:
    client = await Client.connect(address, namespace="default")
    suffix = uuid.uuid4().hex[:8]
    task_queue = f"py-schedules-{suffix}"
    schedule_id = f"py-schedule-{suffix}"
    workflow_id = f"py-wf-{suffix}"

    async with Worker(client, task_queue=task_queue, workflows=[ScheduledWorkflow]):
        handle = await client.create_schedule(
            schedule_id,
            Schedule(
                action=ScheduleActionStartWorkflow(
                    ScheduledWorkflow.run, "python", id=workflow_id, task_queue=task_queue
                ),
                spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(seconds=1))]),
                state=ScheduleState(note="created from python"),
            ),
            memo={"team": "py"},
        )

        described = await wait_for_actions(client, schedule_id, 2)
        assert described.id == schedule_id
        assert isinstance(described.schedule.action, ScheduleActionStartWorkflow)
        assert described.schedule.action.workflow == "ScheduledWorkflow"
        assert described.schedule.action.task_queue == task_queue
        assert described.schedule.spec.intervals[0].every == timedelta(seconds=1)
        assert described.schedule.state.note == "created from python"
        assert await described.memo_value("team") == "py"
        assert len(described.info.next_action_times) == 10
        first = described.info.recent_actions[0]
        assert first.action.workflow_id.startswith(f"{workflow_id}-"), first.action.workflow_id
        result = await client.get_workflow_handle(first.action.workflow_id).result()
        assert result == "hello python", result

        async def listed() -> None:
            schedules = await client.list_schedules(query=f"ScheduleId = '{schedule_id}'")
            ids = [s.id async for s in schedules]
            assert schedule_id in ids, ids

        await eventually(listed)

        await handle.pause(note="paused from python")
        paused = await handle.describe()
        assert paused.schedule.state.paused
        assert paused.schedule.state.note == "paused from python"
        count = paused.info.num_actions

        await handle.trigger()
        triggered = await wait_for_actions(client, schedule_id, count + 1)
        assert triggered.schedule.state.paused

        await handle.delete()
        try:
            await handle.describe()
        except RPCError as err:
            assert err.status == RPCStatusCode.NOT_FOUND, err
        else:
            raise AssertionError("describe of a deleted schedule succeeded")
    print("python schedules: ok")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
