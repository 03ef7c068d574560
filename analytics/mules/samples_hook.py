"""After `init-db` loads the samples: store the mule lab's sample run so the page shows it at once."""

from __future__ import annotations

from analytics.identity import Actor
from analytics.mules import runs
from analytics.mules.runner import Runner
from analytics.samples.mules import sample_config
from analytics.store import Store


def after_sample_load(store: Store, actor: Actor) -> dict:
    """Simulate the sample settings (the same bytes as sample_data/mules/) and store the run."""
    result = Runner(sample_config()).run()
    runs.save_run(store, result, actor)
    return {"run_id": result.run_id, "transactions": result.transactions.num_rows, "drops": result.drops}
