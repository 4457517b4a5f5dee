package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"google.golang.org/api/googleapi"

	"github.com/calbot/calbot/internal/backoff"
)

// retry runs req until it succeeds, fails for good, or s.attempts are spent.
// Between attempts it waits with exponential backoff and jitter. It returns
// the last error unchanged; wrap classifies it.
func (s *Service) retry(ctx context.Context, op string, req func() error) error {
	var err error
	for attempt := 0; attempt < s.attempts; attempt++ {
		if attempt > 0 {
			if s.sleep(ctx, s.delay(attempt)) != nil {
				return err
			}
		}
		err = req()
		s.metrics.observe(op, err)
		if err == nil || !retryable(ctx, err) {
			return err
		}
	}
	return err
}

// delay returns the wait before the given attempt (1 for the first retry):
// between half and all of backoff·2^(attempt-1), capped at maxBackoff.
func (s *Service) delay(attempt int) time.Duration {
	return backoff.Delay(attempt, s.backoff, s.maxBackoff)
}

// retryable reports whether err is worth another attempt: a server error, a
// rate limit, or a transport failure while ctx still has time.
func retryable(ctx context.Context, err error) bool {
	var te *tokenError
	if errors.As(err, &te) || ctx.Err() != nil {
		return false
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		return transient(gerr)
	}
	var uerr *url.Error
	return errors.As(err, &uerr)
}

// transient reports whether Google asks us to come back later. Rate limits
// arrive as 429 and also as 403 with a rate-limit reason.
func transient(gerr *googleapi.Error) bool {
	switch {
	case gerr.Code >= 500, gerr.Code == http.StatusTooManyRequests:
		return true
	case gerr.Code == http.StatusForbidden:
		for _, item := range gerr.Errors {
			switch item.Reason {
			case "rateLimitExceeded", "userRateLimitExceeded":
				return true
			}
		}
	}
	return false
}

// hasStatus reports whether err is a Google error with one of the codes.
func hasStatus(err error, codes ...int) bool {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return false
	}
	for _, c := range codes {
		if gerr.Code == c {
			return true
		}
	}
	return false
}

// hasReason reports whether gerr carries one of Google's reasons.
func hasReason(gerr *googleapi.Error, reasons ...string) bool {
	for _, item := range gerr.Errors {
		for _, r := range reasons {
			if item.Reason == r {
				return true
			}
		}
	}
	return false
}

// wrap adds op to err once and files it under ErrNotFound or ErrUnavailable
// where it belongs. Errors of the token source are passed on without the URL
// wrapping net/http adds, so the caller's errors.Is and errors.As see them.
func wrap(op string, err error) error {
	var te *tokenError
	var gerr *googleapi.Error
	var uerr *url.Error
	switch {
	case errors.As(err, &te):
		return fmt.Errorf("%s: %w", op, te)
	case errors.As(err, &gerr):
		switch {
		case gerr.Code == http.StatusNotFound, gerr.Code == http.StatusGone:
			return fmt.Errorf("%s: %w: %w", op, ErrNotFound, err)
		case gerr.Code == http.StatusUnauthorized:
			return fmt.Errorf("%s: %w: %w", op, ErrUnauthorized, err)
		case hasReason(gerr, "insufficientPermissions"):
			return fmt.Errorf("%s: %w: %w", op, ErrScope, err)
		case gerr.Code == http.StatusForbidden && hasReason(gerr, "requiredAccessLevel", "forbidden"):
			return fmt.Errorf("%s: %w: %w", op, ErrReadOnly, err)
		case transient(gerr):
			return fmt.Errorf("%s: %w: %w", op, ErrUnavailable, err)
		}
	case errors.Is(err, context.Canceled):
		// The caller gave up; Google is not to blame.
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &uerr):
		return fmt.Errorf("%s: %w: %w", op, ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
