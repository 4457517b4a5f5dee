package main

import (
	"context"
	"fmt"
	"time"
)

// unpaced switches calbot's outgoing pacing off, and its per-chat command
// rate and queue cap too: these scenarios measure capacity, and some send a
// chat more commands at once than fair sharing lets one chat queue.
var unpaced = map[string]string{"TELEGRAM_GLOBAL_RATE": "0", "TELEGRAM_CHAT_RATE": "0", "CHAT_RATE": "0", "CHAT_QUEUE_CAP": "10000"}

// scenarios in the order "all" runs them.
var scenarios = []struct {
	name string
	run  func(context.Context, options) (result, error)
}{
	{"requests", requests},
	{"refresh", refresh},
	{"burst", burst},
	{"paced", paced},
	{"sustained", sustained},
	{"startup", startup},
	{"wave", wave},
	{"steady", steady},
}

// withEnv adds calbot settings the options ask for to env.
func withEnv(o options, env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	if o.concurrency > 0 {
		out["CONCURRENCY"] = fmt.Sprint(o.concurrency)
	}
	if o.profile != "" {
		out["CALBOT_PROFILE"] = o.profile
	}
	for k, v := range o.env {
		out[k] = v
	}
	return out
}

// burst: every chat sends /today at the same moment, pacing off.
func burst(ctx context.Context, o options) (result, error) {
	chats, lat := o.or(o.chats, 1000), o.latencyOr(200*time.Millisecond)
	r, err := newRig(ctx, o, setup{chats: chats, latency: lat, env: withEnv(o, unpaced), valid: true})
	if err != nil {
		return result{}, err
	}
	defer r.close()
	werr := r.todayFromEach(ctx, 60*time.Second)
	res := result{scenario: "burst"}
	s := r.t.summary()
	cpu, _ := r.p.cpu()
	res.add("commands (/today, one per chat, at once)", float64(s.sent), "", "", nil)
	res.add("fake Google latency", ms(lat), "ms", "", nil)
	res.add("slowest reply (from the command)", ms(s.raw.max), "ms", "<= 1500 ms", atMost(1500))
	res.add("all replies after", sec(s.elapsed), "s", "", nil)
	res.add("commands/s", float64(s.replied)/s.elapsed.Seconds(), "/s", "", nil)
	addLatency(&res, s, false)
	res.add("Google requests per command", float64(r.f.stats().google)/float64(s.sent), "", "", nil)
	addDelivery(&res, s, false)
	res.add("calbot CPU", sec(cpu-r.cpu0), "s", "", nil)
	r.finish(&res, werr)
	return res, nil
}

// paced: the same burst with calbot's default pacing, against a fake that
// enforces Telegram's limits. Some chats send three commands, to check
// per-chat order and spacing.
func paced(ctx context.Context, o options) (result, error) {
	chats, lat := o.or(o.chats, 1000), o.latencyOr(200*time.Millisecond)
	r, err := newRig(ctx, o, setup{chats: chats, latency: lat, env: withEnv(o, nil), valid: true})
	if err != nil {
		return result{}, err
	}
	defer r.close()
	r.f.gate.SetLimits(30, time.Second)
	ordered := max(1, chats/20)
	for i, id := range r.ids {
		r.t.send(id, kindToday)
		if i < ordered {
			r.t.send(id, kindHelp)
			r.t.send(id, kindToday)
		}
	}
	sent := chats + 2*ordered
	werr := r.t.wait(ctx, time.Duration(sent)*time.Second/30*3/2+30*time.Second)
	res := result{scenario: "paced"}
	s := r.t.summary()
	res.add("commands", float64(s.sent), "", "", nil)
	res.add("chats with 3 commands (/today /help /today)", float64(ordered), "", "", nil)
	res.add("all replies after", sec(s.elapsed), "s", fmt.Sprintf(">= %.1f s by design", float64(sent-1)/30), nil)
	res.add("replies/s overall", float64(s.replied)/s.elapsed.Seconds(), "/s", "", nil)
	res.add("most replies within one second", float64(s.maxPerSecond), "", "<= 30", atMost(30))
	res.add("least gap between replies to one chat", ms(s.minChatGap), "ms", ">= 1000 ms", atLeast(1000))
	res.add("429s from the fake", float64(r.f.gate.TooMany()), "", "= 0", eq(0))
	addDelivery(&res, s, true)
	res.add("added latency p50", ms(s.added.p50), "ms", "", nil)
	res.add("added latency max", ms(s.added.max), "ms", "", nil)
	r.finish(&res, werr)
	return res, nil
}

// sustained: a steady stream of /today with zero-latency fakes, pacing off.
// Phase one offers -rate commands a second for -duration and measures the
// latency calbot adds; phase two keeps -inflight commands in flight (each
// chat's next command follows its reply) for -duration and measures how
// many calbot completes a second.
func sustained(ctx context.Context, o options) (result, error) {
	chats, lat := o.or(o.chats, 1000), o.latencyOr(0)
	r, err := newRig(ctx, o, setup{chats: chats, latency: lat, env: withEnv(o, unpaced), valid: true})
	if err != nil {
		return result{}, err
	}
	defer r.close()
	res := result{scenario: "sustained"}

	// Warm up: one command per chat over a second, so that connections
	// and per-chat token caches exist as in a bot that has been running.
	r.t.openLoop(ctx, r.ids, float64(chats), time.Second)
	if err := r.t.wait(ctx, 30*time.Second); err != nil {
		return result{}, fmt.Errorf("warm-up: %w", err)
	}
	g0 := r.f.stats().google

	// Phase one: open loop at the offered rate.
	r.t = newTracker(r.f, r.ids)
	cpu0, self0 := mustCPU(r), selfCPU()
	r.t.openLoop(ctx, r.ids, o.rate, o.duration)
	werr := r.t.wait(ctx, 30*time.Second)
	s := r.t.summary()
	cpu1, self1 := mustCPU(r), selfCPU()
	res.add("offered rate", o.rate, "/s", "", nil)
	res.add("commands", float64(s.sent), "", "", nil)
	res.add("completed/s at the offered rate", float64(s.replied)/s.elapsed.Seconds(), "/s", "", nil)
	addLatency(&res, s, true)
	res.add("Google requests per command", float64(r.f.stats().google-g0)/float64(s.sent), "", "", nil)
	addDelivery(&res, s, false)
	res.add("calbot CPU per command", ms(cpu1-cpu0)/float64(max(s.replied, 1)), "ms", "", nil)
	res.add("calbot CPU share of 2 cores", (cpu1-cpu0).Seconds()/s.elapsed.Seconds()/2, "", "", nil)
	res.add("driver+fakes CPU share of 2 cores", (self1-self0).Seconds()/s.elapsed.Seconds()/2, "", "", nil)
	if werr != nil {
		res.note("phase one: %v", werr)
	}

	// Phase two: closed loop, as fast as calbot answers.
	inflight := min(o.inflight, chats)
	r.t = newTracker(r.f, r.ids)
	cpu0 = mustCPU(r)
	s = r.t.closedLoop(ctx, r.ids[:inflight], o.duration)
	cpu1 = mustCPU(r)
	res.add("commands in flight (closed loop)", float64(inflight), "", "", nil)
	res.add("max commands/s", float64(s.replied)/s.elapsed.Seconds(), "/s", ">= 1000 /s", atLeast(1000))
	res.add("closed-loop latency p50", ms(s.raw.p50), "ms", "", nil)
	res.add("closed-loop latency p99", ms(s.raw.p99), "ms", "", nil)
	res.add("closed-loop dropped", float64(s.dropped), "", "= 0", eq(0))
	res.add("calbot CPU per command (closed loop)", ms(cpu1-cpu0)/float64(max(s.replied, 1)), "ms", "", nil)
	r.finish(&res, nil)
	return res, nil
}

func mustCPU(r *rig) time.Duration { c, _ := r.p.cpu(); return c }

// requests: Google requests per /today when every access token is valid.
func requests(ctx context.Context, o options) (result, error) {
	chats, lat := o.or(o.chats, 100), o.latencyOr(0)
	r, err := newRig(ctx, o, setup{chats: chats, latency: lat, env: withEnv(o, unpaced), valid: true})
	if err != nil {
		return result{}, err
	}
	defer r.close()
	werr := r.todayFromEach(ctx, 30*time.Second)
	res := result{scenario: "requests"}
	s := r.t.summary()
	st := r.f.stats()
	res.add("commands (/today, one per chat)", float64(s.sent), "", "", nil)
	res.add("Google requests per /today", float64(st.google)/float64(s.sent), "", "= 1", eq(1))
	res.add("Calendar lists per /today", float64(st.lists)/float64(s.sent), "", "", nil)
	res.add("token refreshes", float64(st.refreshes), "", "= 0", eq(0))
	addDelivery(&res, s, false)
	r.finish(&res, werr)
	return res, nil
}

// refresh: one chat whose access token has expired sends many commands at
// once; calbot must refresh once.
func refresh(ctx context.Context, o options) (result, error) {
	lat := o.latencyOr(0)
	r, err := newRig(ctx, o, setup{chats: 1, latency: lat, env: withEnv(o, unpaced), valid: true, expired: true})
	if err != nil {
		return result{}, err
	}
	defer r.close()
	n := o.or(o.commands, 50)
	for range n {
		r.t.send(r.ids[0], kindToday)
	}
	werr := r.t.wait(ctx, 60*time.Second)
	res := result{scenario: "refresh"}
	s := r.t.summary()
	st := r.f.stats()
	res.add("commands (/today, one chat, at once)", float64(s.sent), "", "", nil)
	res.add("token refreshes", float64(st.refreshes), "", "= 1", eq(1))
	res.add("Google requests per command", float64(st.google)/float64(s.sent), "", "", nil)
	res.add("all replies after", sec(s.elapsed), "s", "", nil)
	addDelivery(&res, s, true)
	r.finish(&res, werr)
	return res, nil
}

// startup: calbot starting on a database of many linked chats, and its
// memory when idle.
func startup(ctx context.Context, o options) (result, error) {
	chats := o.or(o.chats, 100000)
	// Tokens the fake accepts, and empty calendars: the scheduler's first
	// reads (about a hundred in the first 2 s) succeed as they would.
	r, err := newRig(ctx, o, setup{chats: chats, env: withEnv(o, nil), valid: true, day: func(string, int) {}})
	if err != nil {
		return result{}, err
	}
	defer r.close()
	select {
	case <-time.After(o.settle):
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
	res := result{scenario: "startup"}
	res.add("linked chats in the database", float64(chats), "", "", nil)
	res.add("database file", mb(r.dbSize), "MB", "", nil)
	res.add("seeding took (PutLinks)", sec(r.seeded), "s", "", nil)
	res.add("exec to first getMe", ms(r.getMe), "ms", "", nil)
	res.add("exec to first getUpdates (startup)", ms(r.startup), "ms", "<= 300 ms", atMost(300))
	m, err := r.p.memory()
	if err != nil {
		return result{}, err
	}
	res.add(fmt.Sprintf("idle RSS after %s", o.settle), mb(m.rss), "MB", "<= 60 MB (with the scheduler)", atMost(60))
	res.add("  of which anonymous (heap, stacks)", mb(m.anon), "MB", "", nil)
	res.add("  of which file-backed (binary, database map)", mb(m.file), "MB", "", nil)
	cpu, _ := r.p.cpu()
	res.add("calbot CPU until then", sec(cpu), "s", "", nil)
	r.finish(&res, nil)
	return res, nil
}

// addLatency reports the latency calbot added: reply time minus the fake
// latency on the command's path.
func addLatency(res *result, s summary, target bool) {
	res.add("time in the Calendar fake p50", ms(s.inGoogle.p50), "ms", "", nil)
	res.add("time in the Calendar fake p99", ms(s.inGoogle.p99), "ms", "", nil)
	res.add("added latency p50", ms(s.added.p50), "ms", "", nil)
	if target {
		res.add("added latency p99", ms(s.added.p99), "ms", "<= 10 ms", atMost(10))
	} else {
		res.add("added latency p99", ms(s.added.p99), "ms", "", nil)
	}
	res.add("added latency max", ms(s.added.max), "ms", "", nil)
}

// addDelivery reports lost, surplus, failed and (if ordered) misordered replies.
func addDelivery(res *result, s summary, ordered bool) {
	res.add("dropped (sent - replied)", float64(s.dropped), "", "= 0", eq(0))
	res.add("replies nobody waited for", float64(s.extra), "", "= 0", eq(0))
	res.add("error replies", float64(s.failed), "", "= 0", eq(0))
	if ordered {
		res.add("per-chat order violations", float64(s.order), "", "= 0", eq(0))
	}
}
