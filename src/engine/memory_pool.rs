//! The build's memory pool: DataFusion's fair spill pool, except that an
//! operator holding nothing may take its first allocation from whatever the
//! pool has free.
//!
//! The fair pool gives each operator that can spill at most its share of the
//! pool: the pool divided by every such operator registered, idle ones
//! included. The larger marts plan fifty and more of them (a sort per window
//! function, an aggregation per CTE, repartitions), and a sort counts a slice
//! of an aggregation's output batch at the whole batch's size: a sort with
//! nothing reserved is then refused its first batch, and having nothing to
//! spill, fails the build while the pool is mostly free. Refusing it frees
//! nothing either — the batch is already in memory. So the first allocation of
//! an operator that can spill is granted when the pool has room for it; past
//! that, the fair share holds and the operator spills to stay within it.
//!
//! And a `RepartitionExec` is never refused. DataFusion 55 spills a batch a
//! repartition cannot reserve into a spill pool whose reader can wait forever
//! when two of its files are open (apache/datafusion#24883, fixed after 55):
//! every thread parks, the build hangs at 0 % CPU. Granted, a repartition
//! never takes that path; its buffers stay bounded by its channels' gate
//! (an input waits while every output channel holds a batch). It still
//! counts as an operator that can spill when the shares are cut, so the
//! other operators' shares stay what they were (larger shares let the sorts
//! of `dim_customer` hold too much to merge in a 1 GiB pool).

use std::fmt;
use std::sync::Mutex;

use datafusion::error::{DataFusionError, Result};
use datafusion::execution::memory_pool::{
    MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation, human_readable_size,
};

/// A fair spill pool that lets an empty operator start (see the module docs).
#[derive(Debug)]
pub struct StartingFairPool {
    pool_size: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Operators that can spill, registered.
    num_spill: usize,
    /// Bytes reserved by operators that can spill.
    spillable: usize,
    /// Bytes reserved by operators that cannot.
    unspillable: usize,
}

impl StartingFairPool {
    pub fn new(pool_size: usize) -> StartingFairPool {
        StartingFairPool {
            pool_size,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn refused(&self, reservation: &MemoryReservation, additional: usize, available: usize) -> DataFusionError {
        DataFusionError::ResourcesExhausted(format!(
            "Failed to allocate additional {} for {} with {} already allocated for this reservation - {} remain available for the total memory pool: {self}",
            human_readable_size(additional),
            reservation.consumer().name(),
            human_readable_size(reservation.size()),
            human_readable_size(available),
        ))
    }
}

impl MemoryPool for StartingFairPool {
    fn name(&self) -> &str {
        "fair"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        if consumer.can_spill() {
            self.state().num_spill += 1;
        }
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        if consumer.can_spill() {
            let mut state = self.state();
            state.num_spill = state.num_spill.saturating_sub(1);
        }
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        let mut state = self.state();
        if reservation.consumer().can_spill() {
            state.spillable += additional;
        } else {
            state.unspillable += additional;
        }
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        let mut state = self.state();
        if reservation.consumer().can_spill() {
            state.spillable = state.spillable.saturating_sub(shrink);
        } else {
            state.unspillable = state.unspillable.saturating_sub(shrink);
        }
    }

    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> Result<()> {
        let mut state = self.state();
        if is_repartition(reservation.consumer()) {
            state.spillable += additional;
            return Ok(());
        }
        let free = self.pool_size.saturating_sub(state.unspillable + state.spillable);
        if reservation.consumer().can_spill() && reservation.size() > 0 {
            // Its share of what the operators that cannot spill leave.
            let spill_available = self.pool_size.saturating_sub(state.unspillable);
            let share = spill_available.checked_div(state.num_spill).unwrap_or(spill_available);
            if reservation.size() + additional > share {
                return Err(self.refused(reservation, additional, share));
            }
            state.spillable += additional;
        } else {
            // An operator that cannot spill, or one that has nothing to spill yet.
            if additional > free {
                return Err(self.refused(reservation, additional, free));
            }
            if reservation.consumer().can_spill() {
                state.spillable += additional;
            } else {
                state.unspillable += additional;
            }
        }
        Ok(())
    }

    fn reserved(&self) -> usize {
        let state = self.state();
        state.spillable + state.unspillable
    }

    fn memory_limit(&self) -> MemoryLimit {
        MemoryLimit::Finite(self.pool_size)
    }
}

/// A repartition's consumer (`RepartitionExec[3]`, `RepartitionExec[Merge 3]`).
fn is_repartition(consumer: &MemoryConsumer) -> bool {
    consumer.name().starts_with("RepartitionExec")
}

impl fmt::Display for StartingFairPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(pool_size: {})", self.name(), human_readable_size(self.pool_size))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn an_empty_spiller_starts_beyond_its_share_then_keeps_to_it() {
        let pool: Arc<dyn MemoryPool> = Arc::new(StartingFairPool::new(1000));
        // Ten operators that can spill: a share of 100 bytes each.
        let spillers: Vec<_> = (0..10)
            .map(|i| {
                MemoryConsumer::new(format!("sort{i}"))
                    .with_can_spill(true)
                    .register(&pool)
            })
            .collect();
        // The first allocation of an empty one is granted from the free pool ...
        spillers[0].try_grow(300).unwrap();
        // ... past it, the share holds: 300 + 1 > 100.
        assert!(spillers[0].try_grow(1).is_err());
        spillers[1].try_grow(600).unwrap();
        // Only 100 bytes are free: an empty operator cannot take 200 ...
        let err = spillers[2].try_grow(200).unwrap_err().to_string();
        assert!(err.contains("100.0 B remain available"), "{err}");
        // ... nor one that cannot spill.
        let fixed = MemoryConsumer::new("join").register(&pool);
        assert!(fixed.try_grow(101).is_err());
        fixed.try_grow(100).unwrap();
        assert_eq!(pool.reserved(), 1000);
        // Freed memory returns to the pool.
        drop(spillers);
        assert_eq!(pool.reserved(), 100);
    }

    #[test]
    fn a_repartition_is_never_refused_and_shares_stay_as_they_were() {
        let pool: Arc<dyn MemoryPool> = Arc::new(StartingFairPool::new(1000));
        let sort = MemoryConsumer::new("sort").with_can_spill(true).register(&pool);
        let repartition = MemoryConsumer::new("RepartitionExec[0]")
            .with_can_spill(true)
            .register(&pool);
        // Past the whole pool: granted (it would otherwise spill into DataFusion 55's
        // deadlocking spill pool).
        repartition.try_grow(800).unwrap();
        repartition.try_grow(800).unwrap();
        assert_eq!(pool.reserved(), 1600);
        // Two operators that can spill: the sort's share is half the pool, as before.
        drop(repartition);
        let _other = MemoryConsumer::new("RepartitionExec[1]")
            .with_can_spill(true)
            .register(&pool);
        sort.try_grow(10).unwrap();
        sort.try_grow(490).unwrap();
        assert!(sort.try_grow(1).is_err());
    }
}
