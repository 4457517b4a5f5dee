package calendar

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
)

func TestRetry(t *testing.T) {
	tests := []struct {
		name            string
		fails, status   int
		reason          string
		wantRequests    int
		wantUnavailable bool
		wantCode        int // of the *googleapi.Error, 0 if none
	}{
		{"503 twice then ok", 2, 503, "backendError", 3, false, 0},
		{"403 rate limit then ok", 1, 403, "rateLimitExceeded", 2, false, 0},
		{"403 user rate limit then ok", 2, 403, "userRateLimitExceeded", 3, false, 0},
		{"429 then ok", 1, 429, "rateLimitExceeded", 2, false, 0},
		{"persistent 500", 10, 500, "backendError", 3, true, 500},
		{"403 forbidden is final", 10, 403, "forbiddenForNonOrganizer", 1, false, 403},
		{"401 is final", 10, 401, "authError", 1, false, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.FailNext(tt.fails, tt.status, tt.reason)
			_, err := e.svc.Zone(context.Background(), e.ts)
			if got := errors.Is(err, ErrUnavailable); got != tt.wantUnavailable {
				t.Errorf("Zone() = %v; ErrUnavailable: %v, want %v", err, got, tt.wantUnavailable)
			}
			var gerr *googleapi.Error
			if errors.As(err, &gerr); tt.wantCode != 0 && (gerr == nil || gerr.Code != tt.wantCode) {
				t.Errorf("Zone() = %v, want a googleapi.Error %d", err, tt.wantCode)
			}
			if tt.wantCode == 0 && err != nil {
				t.Errorf("Zone() = %v, want success", err)
			}
			if n := e.fake.Requests("list"); n != tt.wantRequests {
				t.Errorf("list requests = %d, want %d", n, tt.wantRequests)
			}
			sleeps := e.slept()
			if len(sleeps) != tt.wantRequests-1 {
				t.Errorf("slept %d times, want %d", len(sleeps), tt.wantRequests-1)
			}
			for i, d := range sleeps {
				if max := 200 * time.Millisecond << i; d < max/2 || d > max {
					t.Errorf("sleep %d = %v, want between %v and %v", i, d, max/2, max)
				}
			}
		})
	}
}

func TestRetryEachMethod(t *testing.T) {
	at := time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC)
	tests := []struct {
		name, kind string
		call       func(context.Context, *env) error
	}{
		{"day", "list", func(ctx context.Context, e *env) error {
			_, err := e.svc.Day(ctx, e.ts, at, time.UTC)
			return err
		}},
		{"insert", "insert", func(ctx context.Context, e *env) error {
			_, err := e.svc.Insert(ctx, e.ts, NewEvent{ID: EventID(testEventKey, 1, 1), Title: "x", Start: at, End: at.Add(time.Hour)})
			return err
		}},
		{"get", "get", func(ctx context.Context, e *env) error {
			_, err := e.svc.Get(ctx, e.ts, "holiday", nil)
			return err
		}},
		{"delete", "delete", func(ctx context.Context, e *env) error {
			return e.svc.Delete(ctx, e.ts, "holiday")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.Add(alice, allDay("holiday", "holiday", "2026-11-22", "2026-11-23"))
			e.fake.FailNext(2, 503, "backendError")
			if err := tt.call(context.Background(), e); err != nil {
				t.Errorf("%s after two 503s: %v", tt.name, err)
			}
			if n := e.fake.Requests(tt.kind); n != 3 {
				t.Errorf("%s requests = %d, want 3", tt.kind, n)
			}
		})
	}
}

var errRevoked = errors.New("grant revoked")

type failingSource struct{ err error }

func (f failingSource) Token() (*oauth2.Token, error) { return nil, f.err }

func TestTokenSourceErrors(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		check func(error) bool
	}{
		{"invalid_grant", &oauth2.RetrieveError{ErrorCode: "invalid_grant"}, func(err error) bool {
			var re *oauth2.RetrieveError
			return errors.As(err, &re) && re.ErrorCode == "invalid_grant"
		}},
		{"caller's sentinel", errRevoked, func(err error) bool { return errors.Is(err, errRevoked) }},
		{"deadline in token refresh", context.DeadlineExceeded, func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ts := failingSource{tt.err}
			_, err := e.svc.Day(context.Background(), ts, time.Now(), nil)
			if !tt.check(err) || errors.Is(err, ErrUnavailable) {
				t.Errorf("Day() = %v, want %v reachable and not ErrUnavailable", err, tt.err)
			}
			if strings.Contains(err.Error(), "http") {
				t.Errorf("Day() = %q, want no URL in a token error", err)
			}
			if n, s := e.fake.Requests("list"), len(e.slept()); n != 0 || s != 0 {
				t.Errorf("%d requests, %d sleeps; want none", n, s)
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := e.svc.Zone(ctx, e.ts); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Zone() past deadline = %v, want ErrUnavailable", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := e.svc.Zone(ctx, e.ts); !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Errorf("Zone() cancelled = %v, want context.Canceled, not ErrUnavailable", err)
	}
}

func TestDeleteRetryFindsItGone(t *testing.T) {
	e := newEnv(t)
	e.fake.Add(alice, allDay("holiday", "holiday", "2026-11-22", "2026-11-23"))
	if err := e.svc.Delete(context.Background(), e.ts, "holiday"); err != nil {
		t.Fatal(err)
	}
	// As if Google deleted the event but answered 503: the retry sees 410.
	e.fake.FailNext(1, 503, "backendError")
	if err := e.svc.Delete(context.Background(), e.ts, "holiday"); err != nil {
		t.Errorf("Delete retried into 410 = %v, want nil", err)
	}
	if n := e.fake.Requests("delete"); n != 3 {
		t.Errorf("delete requests = %d, want 3", n)
	}
}
