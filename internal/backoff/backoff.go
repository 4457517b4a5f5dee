// Package backoff is calbot's one way to wait between retries: an
// exponential delay with jitter, and a sleep that a context cuts short.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Delay returns the wait before retry number attempt (1 for the first
// retry): a random duration between half and all of base·2^(attempt-1),
// capped at limit. The jitter keeps many clients that failed together from
// retrying together.
func Delay(attempt int, base, limit time.Duration) time.Duration {
	d := limit
	if attempt >= 1 && attempt < 63 {
		if s := base << (attempt - 1); s > 0 && s>>(attempt-1) == base && s < limit {
			d = s
		}
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits for d, or until ctx ends, whichever comes first; it returns
// ctx's error in the second case. It is the real implementation of the
// sleep functions that calbot's packages let tests replace.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
