package main

import (
	"strconv"
	"time"
)

// scheduleConfig is the scheduler's part of the configuration, named as in
// schedule.Config.
type scheduleConfig struct {
	Interval                        time.Duration // SCHEDULE_INTERVAL
	ProjectPerMinute, UserPerMinute int           // GOOGLE_(USER_)REQUESTS_PER_MINUTE
	AgendaCatchUp, ReminderCatchUp  time.Duration
}

// checkSchedule reads the scheduler's variables; an unset one (as in a
// sandbox's or a test's env) takes its default.
func (e env) checkSchedule(add func(vars, format string, args ...any)) scheduleConfig {
	var c scheduleConfig
	durations := []struct {
		name, val, def string
		min, max       time.Duration
		dst            *time.Duration
	}{
		{"SCHEDULE_INTERVAL", e.ScheduleInterval, "2m", 10 * time.Second, time.Hour, &c.Interval},
		{"AGENDA_CATCH_UP", e.AgendaCatchUp, "2h", 0, 24 * time.Hour, &c.AgendaCatchUp},
		{"REMINDER_CATCH_UP", e.ReminderCatchUp, "15m", 0, 24 * time.Hour, &c.ReminderCatchUp},
	}
	for _, d := range durations {
		if d.val == "" {
			d.val = d.def
		}
		v, err := time.ParseDuration(d.val)
		if err != nil || v < d.min || v > d.max || v == 0 {
			add(d.name, "%s %q is not a duration from %s to %s, like %s", d.name, d.val, max(d.min, time.Second), d.max, d.def)
			continue
		}
		*d.dst = v
	}
	rates := []struct {
		name, val, def, google string
		max                    int
		dst                    *int
	}{
		{"GOOGLE_REQUESTS_PER_MINUTE", e.GoogleRequestsPerMin, "3000", "10000 per project", 10000, &c.ProjectPerMinute},
		{"GOOGLE_USER_REQUESTS_PER_MINUTE", e.GoogleUserPerMin, "60", "600 per user", 600, &c.UserPerMinute},
	}
	for _, r := range rates {
		if r.val == "" {
			r.val = r.def
		}
		n, err := strconv.Atoi(r.val)
		if err != nil || n < 1 || n > r.max {
			add(r.name, "%s %q is not a whole number from 1 to %d (Google allows %s a minute; keep room for commands)", r.name, r.val, r.max, r.google)
			continue
		}
		*r.dst = n
	}
	return c
}
