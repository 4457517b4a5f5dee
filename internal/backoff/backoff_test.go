package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	tests := []struct {
		name        string
		attempt     int
		base, limit time.Duration
		want        time.Duration // the delay before jitter
	}{
		{"first retry", 1, time.Second, time.Minute, time.Second},
		{"third retry doubles twice", 3, time.Second, time.Minute, 4 * time.Second},
		{"capped", 8, time.Second, time.Minute, time.Minute},
		{"huge attempt does not overflow", 200, time.Second, time.Minute, time.Minute},
		{"calendar's shape", 2, 200 * time.Millisecond, 2 * time.Second, 400 * time.Millisecond},
		{"attempt zero waits the cap", 0, time.Second, 5 * time.Second, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 100 {
				got := Delay(tt.attempt, tt.base, tt.limit)
				if got < tt.want/2 || got > tt.want {
					t.Fatalf("Delay(%d, %v, %v) = %v, want between %v and %v", tt.attempt, tt.base, tt.limit, got, tt.want/2, tt.want)
				}
			}
		})
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep(cancelled, 1h) = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v, want nil", err)
	}
}
