//! A discrete-event simulation of the ACD: calls arrive through the IVR, wait in
//! their skill group's queue, are answered by the longest-idle agent of that
//! group or abandon when their patience runs out, and agents move through
//! READY / TALK / HOLD / ACW / NOT_READY on their shifts. Legs and agent states
//! come out of the same clock, so they agree by construction.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::rng::Rng64;
use super::world::{self, World, stream};
use crate::timefmt::DAY_S;

/// IVR outcome of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    SelfService,
    AgentRequest,
    Hangup,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::SelfService => "self_service",
            Outcome::AgentRequest => "agent_request",
            Outcome::Hangup => "hangup",
        }
    }
}

/// A caller: a subscriber index, another carrier's number, or withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Subscriber(u32),
    External(u64),
    Withheld,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub caller: Caller,
    pub center: Option<u8>,
    pub city: u8,
    pub brand: u8,
    pub ivr_start: i64,
    pub ivr_end: i64,
    pub outcome: Outcome,
    pub self_service_code: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Released {
    Customer,
    Agent,
    System,
}

impl Released {
    pub fn as_str(self) -> &'static str {
        match self {
            Released::Customer => "customer",
            Released::Agent => "agent",
            Released::System => "system",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Leg {
    pub call: u32,
    pub seq: u8,
    pub transfer: bool,
    pub group: u8,
    pub queue_start: i64,
    pub answer: Option<i64>,
    pub end: i64,
    pub agent: Option<u32>,
    pub talk_s: i64,
    pub hold_s: i64,
    pub acw_s: i64,
    pub transferred: bool,
    pub released: Released,
    /// When the caller gives up waiting (or the ACD releases the call).
    deadline: i64,
    gives_up_by_system: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ready,
    NotReady(&'static str),
    Talk,
    Hold,
    Acw,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ready => "READY",
            State::NotReady(_) => "NOT_READY",
            State::Talk => "TALK",
            State::Hold => "HOLD",
            State::Acw => "ACW",
        }
    }
    pub fn reason(self) -> Option<&'static str> {
        match self {
            State::NotReady(r) => Some(r),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct StateRow {
    pub agent: u32,
    pub state: State,
    pub start: i64,
    pub end: i64,
}

#[derive(Debug, Clone)]
pub struct Shift {
    pub agent: u32,
    pub work_day: i64,
    pub start: i64,
    pub end: i64,
    pub meal_start: Option<i64>,
    pub meal_minutes: i64,
    /// The agent did not turn up (no states at all for this shift).
    pub absent: bool,
}

/// Everything the hotline produced over the simulated days.
pub struct Traffic {
    pub calls: Vec<Call>,
    pub legs: Vec<Leg>,
    pub states: Vec<StateRow>,
    pub shifts: Vec<Shift>,
}

/// Relative call volume of each half hour of the day.
const PROFILE: [f64; 48] = [
    0.30, 0.25, 0.18, 0.14, 0.10, 0.08, 0.07, 0.07, 0.07, 0.08, 0.10, 0.14, // 00-06
    0.22, 0.35, 0.55, 0.75, 0.90, 1.00, 1.00, 0.98, 0.95, 0.90, 0.85, 0.80, // 06-12
    0.78, 0.85, 0.92, 0.95, 0.95, 0.92, 0.88, 0.85, 0.80, 0.78, 0.75, 0.70, // 12-18
    0.68, 0.70, 0.72, 0.70, 0.65, 0.60, 0.55, 0.50, 0.45, 0.40, 0.36, 0.33, // 18-24
];

/// IVR calls per day at scale 1.
const IVR_CALLS_PER_DAY: f64 = 1_500_000.0;
const P_AGENT_REQUEST: f64 = 0.25;
const P_SELF_SERVICE: f64 = 0.60;
const PATIENCE_MEAN_S: f64 = 110.0;
const MAX_QUEUE_S: i64 = 420;
const P_TRANSFER: f64 = 0.07;
const P_ABSENT: f64 = 0.03;

enum Ev {
    Arrive(u32),
    Free(u32),
    ShiftStart(u32, u32),
    BreakDue(u32, &'static str, i64),
    ShiftEnd(u32),
}

struct AgentSim {
    group: usize,
    on: bool,
    idle: bool,
    /// The agent is busy until `Free`: its state rows are already written up to then.
    since: i64,
    pending_break: Option<(&'static str, i64)>,
    pending_logout: bool,
    shift_end: i64,
    idle_token: u64,
}

struct Sim<'w> {
    world: &'w World,
    rng: Rng64,
    events: BinaryHeap<Reverse<(i64, u64, usize)>>,
    payloads: Vec<Option<Ev>>,
    seq: u64,
    agents: Vec<AgentSim>,
    queues: Vec<VecDeque<u32>>,
    idle: Vec<VecDeque<(u32, u64)>>,
    legs: Vec<Leg>,
    states: Vec<StateRow>,
    calls: Vec<Call>,
}

/// Simulate every day of the world.
pub fn simulate(world: &World) -> Traffic {
    let calls_and_legs = arrivals(world);
    let shifts = shifts(world);
    let mut sim = Sim {
        world,
        rng: Rng64::new(world.seed, stream::SERVICE, 0),
        events: BinaryHeap::new(),
        payloads: Vec::new(),
        seq: 0,
        agents: world
            .agents
            .iter()
            .map(|a| AgentSim {
                group: a.group,
                on: false,
                idle: false,
                since: 0,
                pending_break: None,
                pending_logout: false,
                shift_end: 0,
                idle_token: 0,
            })
            .collect(),
        queues: vec![VecDeque::new(); world.groups.len()],
        idle: vec![VecDeque::new(); world.groups.len()],
        legs: calls_and_legs.1,
        states: Vec::new(),
        calls: calls_and_legs.0,
    };
    for i in 0..sim.legs.len() {
        let t = sim.legs[i].queue_start;
        sim.push(t, Ev::Arrive(i as u32));
    }
    for (si, s) in shifts.iter().enumerate() {
        if !s.absent {
            let late = sim.rng.between(-300, 240);
            sim.push(s.start + late, Ev::ShiftStart(s.agent, si as u32));
        }
    }
    sim.run(&shifts);
    let mut states = sim.states;
    states.sort_by_key(|s| (s.agent, s.start));
    Traffic {
        calls: sim.calls,
        legs: sim.legs,
        states,
        shifts,
    }
}

fn arrivals(world: &World) -> (Vec<Call>, Vec<Leg>) {
    let total: f64 = PROFILE.iter().sum();
    let per_day = IVR_CALLS_PER_DAY * world.scale;
    let mut calls = Vec::new();
    let mut legs = Vec::new();
    for d in 0..world.days {
        let day = world.start_day + d;
        let mut rng = Rng64::new(world.seed, stream::ARRIVALS, day as u64);
        for (slot, w) in PROFILE.iter().enumerate() {
            let n = rng.poisson(per_day * w / total);
            let mut starts: Vec<i64> = (0..n)
                .map(|_| day * DAY_S + slot as i64 * 1800 + rng.between(0, 1799))
                .collect();
            starts.sort_unstable();
            for ivr_start in starts {
                let (call, leg) = new_call(world, &mut rng, ivr_start, calls.len() as u32);
                calls.push(call);
                if let Some(leg) = leg {
                    legs.push(leg);
                }
            }
        }
    }
    legs.sort_by_key(|l| l.queue_start);
    (calls, legs)
}

/// Callers are skewed: a few subscribers call often (repeat callers, FCR misses).
fn pick_caller(world: &World, rng: &mut Rng64) -> Caller {
    let x = rng.unit();
    if x < 0.01 {
        Caller::Withheld
    } else if x < 0.04 {
        Caller::External(rng.next_u64() % 1_000_000)
    } else {
        let u = rng.unit();
        Caller::Subscriber((u.powf(1.6) * world.subscriber_count as f64) as u32)
    }
}

fn new_call(world: &World, rng: &mut Rng64, ivr_start: i64, index: u32) -> (Call, Option<Leg>) {
    let caller = pick_caller(world, rng);
    let (city, brand) = match caller {
        Caller::Subscriber(i) => {
            let s = world.subscriber(i as usize);
            (s.city as u8, s.brand as u8)
        }
        _ => (rng.between(0, world::CITIES.len() as i64 - 1) as u8, 2),
    };
    let x = rng.unit();
    let outcome = if x < P_AGENT_REQUEST {
        Outcome::AgentRequest
    } else if x < P_AGENT_REQUEST + P_SELF_SERVICE {
        Outcome::SelfService
    } else {
        Outcome::Hangup
    };
    let ivr_end = ivr_start + rng.between(15, 150);
    let center = if rng.chance(0.02) {
        None
    } else {
        Some(u8::from(city >= 5))
    };
    let self_service_code = match outcome {
        Outcome::SelfService => Some(rng.between(0, world::SELF_SERVICE_CODES.len() as i64 - 1) as u8),
        Outcome::AgentRequest if rng.chance(0.3) => {
            Some(rng.between(0, world::SELF_SERVICE_CODES.len() as i64 - 1) as u8)
        }
        _ => None,
    };
    let call = Call {
        caller,
        center,
        city,
        brand,
        ivr_start,
        ivr_end,
        outcome,
        self_service_code,
    };
    let leg = (outcome == Outcome::AgentRequest).then(|| {
        let y = rng.unit();
        let group = if y < 0.04 {
            world::COMPLAINT_GROUP
        } else if y < 0.29 {
            world::GENERAL_GROUP
        } else {
            world::brand_group(brand as usize)
        };
        new_leg(rng, index, 1, false, group as u8, ivr_end)
    });
    (call, leg)
}

fn new_leg(rng: &mut Rng64, call: u32, seq: u8, transfer: bool, group: u8, queue_start: i64) -> Leg {
    let patience = rng.exp(PATIENCE_MEAN_S).round() as i64 + 1;
    let (deadline, gives_up_by_system) = if patience > MAX_QUEUE_S {
        (queue_start + MAX_QUEUE_S, true)
    } else {
        (queue_start + patience, false)
    };
    Leg {
        call,
        seq,
        transfer,
        group,
        queue_start,
        answer: None,
        end: deadline,
        agent: None,
        talk_s: 0,
        hold_s: 0,
        acw_s: 0,
        transferred: false,
        released: if gives_up_by_system {
            Released::System
        } else {
            Released::Customer
        },
        deadline,
        gives_up_by_system,
    }
}

fn shifts(world: &World) -> Vec<Shift> {
    let mut out = Vec::new();
    // Start with the eve's shifts: its night shift covers the first morning.
    for d in -1..world.days {
        let day = world.start_day + d;
        let mut rng = Rng64::new(world.seed, stream::SHIFTS, day as u64);
        for (ai, a) in world.agents.iter().enumerate() {
            // One day off a week, staggered across agents.
            if !a.takes_calls() || !a.employed_on(day) || (day + ai as i64) % 7 == 0 {
                continue;
            }
            let (start_s, len_s, _) = world::SHIFT_PATTERNS[a.shift];
            let start = day * DAY_S + start_s;
            let end = start + len_s;
            let meal_minutes = if len_s >= 9 * 3600 { 60 } else { 30 };
            // Meal half-way through, on the half hour, staggered so a queue is never
            // left empty; some sites do not plan a window.
            let meal_at = start + (len_s / 2 / 1800) * 1800 - 1800 * (ai as i64 % 3);
            let meal_start = if rng.chance(0.1) { None } else { Some(meal_at) };
            out.push(Shift {
                agent: ai as u32,
                work_day: day,
                start,
                end,
                meal_start,
                meal_minutes,
                absent: rng.chance(P_ABSENT),
            });
        }
    }
    out
}

impl Sim<'_> {
    fn push(&mut self, t: i64, ev: Ev) {
        self.payloads.push(Some(ev));
        self.events.push(Reverse((t, self.seq, self.payloads.len() - 1)));
        self.seq += 1;
    }

    fn emit(&mut self, agent: u32, state: State, start: i64, end: i64) {
        if end > start {
            self.states.push(StateRow {
                agent,
                state,
                start,
                end,
            });
        }
    }

    fn run(&mut self, shifts: &[Shift]) {
        while let Some(Reverse((t, _, slot))) = self.events.pop() {
            let ev = self.payloads[slot].take().expect("each event is popped once");
            match ev {
                Ev::Arrive(leg) => self.arrive(t, leg),
                Ev::Free(a) => self.free(t, a),
                Ev::ShiftStart(a, si) => self.shift_start(t, a, &shifts[si as usize]),
                Ev::BreakDue(a, reason, dur) => self.break_due(t, a, reason, dur),
                Ev::ShiftEnd(a) => self.shift_end(t, a),
            }
        }
        // Whoever is still waiting gives up at their deadline.
        for g in 0..self.queues.len() {
            while let Some(l) = self.queues[g].pop_front() {
                self.give_up(l);
            }
        }
    }

    fn arrive(&mut self, t: i64, leg: u32) {
        let g = self.legs[leg as usize].group as usize;
        while let Some((a, token)) = self.idle[g].pop_front() {
            let ag = &self.agents[a as usize];
            if ag.idle && ag.idle_token == token && ag.on {
                self.answer(t, a, leg);
                return;
            }
        }
        self.queues[g].push_back(leg);
    }

    fn give_up(&mut self, leg: u32) {
        let l = &mut self.legs[leg as usize];
        l.end = l.deadline;
        l.released = if l.gives_up_by_system {
            Released::System
        } else {
            Released::Customer
        };
    }

    /// The agent is free at `t`: take a pending break or logout, else the next caller.
    fn free(&mut self, t: i64, a: u32) {
        let ag = &mut self.agents[a as usize];
        ag.since = t;
        if ag.pending_logout || t >= ag.shift_end {
            ag.on = false;
            ag.pending_logout = false;
            return;
        }
        if let Some((reason, dur)) = ag.pending_break.take() {
            self.emit(a, State::NotReady(reason), t, t + dur);
            self.push(t + dur, Ev::Free(a));
            return;
        }
        self.serve_or_idle(t, a);
    }

    fn serve_or_idle(&mut self, t: i64, a: u32) {
        let g = self.agents[a as usize].group;
        while let Some(&front) = self.queues[g].front() {
            self.queues[g].pop_front();
            if self.legs[front as usize].deadline <= t {
                self.give_up(front);
                continue;
            }
            self.answer(t, a, front);
            return;
        }
        let ag = &mut self.agents[a as usize];
        ag.idle = true;
        ag.since = t;
        ag.idle_token += 1;
        let token = ag.idle_token;
        self.idle[g].push_back((a, token));
    }

    fn answer(&mut self, t: i64, a: u32, leg: u32) {
        let since = self.agents[a as usize].since;
        if self.agents[a as usize].idle {
            self.emit(a, State::Ready, since, t);
        }
        self.agents[a as usize].idle = false;
        let g = &self.world.groups[self.legs[leg as usize].group as usize];
        let talk = self.rng.lognormal(g.talk_mean_s, 0.8).round().max(3.0) as i64;
        let hold = if self.rng.chance(0.2) {
            self.rng.exp(35.0).round() as i64 + 1
        } else {
            0
        };
        let acw = self.rng.between(10, 40);
        let end = t + talk + hold;
        self.emit(a, State::Talk, t, t + talk);
        self.emit(a, State::Hold, t + talk, end);
        self.emit(a, State::Acw, end, end + acw);
        self.push(end + acw, Ev::Free(a));
        let transfer = self.legs[leg as usize].seq < 3 && self.rng.chance(P_TRANSFER);
        let released = if transfer || self.rng.chance(0.3) {
            Released::Agent
        } else {
            Released::Customer
        };
        let l = &mut self.legs[leg as usize];
        l.answer = Some(t);
        l.agent = Some(a);
        l.talk_s = talk;
        l.hold_s = hold;
        l.acw_s = acw;
        l.end = end;
        l.transferred = transfer;
        l.released = released;
        if transfer {
            let (call, seq, from) = (l.call, l.seq, l.group as usize);
            let mut to = self.rng.between(0, self.world.groups.len() as i64 - 2) as usize;
            if to >= from {
                to += 1;
            }
            let new = new_leg(&mut self.rng, call, seq + 1, true, to as u8, end);
            self.legs.push(new);
            let idx = self.legs.len() as u32 - 1;
            self.push(end, Ev::Arrive(idx));
        }
    }

    fn shift_start(&mut self, t: i64, a: u32, shift: &Shift) {
        let world = self.world;
        let ag = &mut self.agents[a as usize];
        if ag.on {
            return; // still finishing the previous shift's last call
        }
        ag.on = true;
        ag.group = world.agents[a as usize].placement(shift.work_day).1;
        ag.shift_end = shift.end + self.rng.between(-120, 300);
        ag.pending_break = None;
        ag.pending_logout = false;
        let len = shift.end - shift.start;
        let b1 = shift.start + len / 4 + self.rng.between(-900, 900);
        let b2 = shift.start + len * 3 / 4 + self.rng.between(-900, 900);
        let meal = shift.meal_start.unwrap_or(shift.start + len / 2 - 1800);
        let shift_end = ag.shift_end;
        for (at, reason, dur) in [
            (b1, "break", self.rng.between(300, 900)),
            (meal, "meal", shift.meal_minutes * 60),
            (b2, "break", self.rng.between(300, 900)),
        ] {
            self.push(at, Ev::BreakDue(a, reason, dur));
        }
        if self.rng.chance(0.15) {
            let at = shift.start + self.rng.between(3600, len - 3600);
            let reason = ["training", "meeting", "other"][self.rng.between(0, 2) as usize];
            let dur = self.rng.between(120, 1800);
            self.push(at, Ev::BreakDue(a, reason, dur));
        }
        self.push(shift_end, Ev::ShiftEnd(a));
        self.serve_or_idle(t, a);
    }

    fn break_due(&mut self, t: i64, a: u32, reason: &'static str, dur: i64) {
        let ag = &mut self.agents[a as usize];
        if !ag.on || t >= ag.shift_end {
            return;
        }
        if ag.idle {
            ag.idle = false;
            let since = ag.since;
            self.emit(a, State::Ready, since, t);
            self.emit(a, State::NotReady(reason), t, t + dur);
            self.push(t + dur, Ev::Free(a));
        } else if ag.pending_break.is_none() {
            ag.pending_break = Some((reason, dur));
        }
    }

    fn shift_end(&mut self, t: i64, a: u32) {
        let ag = &mut self.agents[a as usize];
        if !ag.on {
            return;
        }
        if ag.idle {
            ag.idle = false;
            ag.on = false;
            let since = ag.since;
            self.emit(a, State::Ready, since, t);
        } else {
            ag.pending_logout = true;
        }
    }
}
