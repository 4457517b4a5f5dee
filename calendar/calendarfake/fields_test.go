package calendarfake

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFields(t *testing.T) {
	const doc = `{"kind":"k","nextPageToken":"p1","items":[{"id":"a","start":{"date":"2026-11-21","timeZone":"UTC"},"attendees":[{"email":"x","self":true,"comment":"c"}]}]}`
	tests := []struct {
		name, fields, want string
	}{
		{"top level", "nextPageToken", `{"nextPageToken":"p1"}`},
		{"nested list", "items(id,attendees(email,self))", `{"items":[{"attendees":[{"email":"x","self":true}],"id":"a"}]}`},
		{"slash path", "items/start/date,kind", `{"items":[{"start":{"date":"2026-11-21"}}],"kind":"k"}`},
		{"whole wins over part", "items/start,items(start/date)", `{"items":[{"start":{"date":"2026-11-21","timeZone":"UTC"}}]}`},
		{"missing field", "summary", `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := parseFields(tt.fields)
			if err != nil {
				t.Fatalf("parseFields(%q): %v", tt.fields, err)
			}
			var v any
			json.Unmarshal([]byte(doc), &v)
			got, _ := json.Marshal(filter(v, sel))
			if !cmp.Equal(string(got), tt.want) {
				t.Errorf("fields %q = %s, want %s", tt.fields, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"items(id", "items)", "a,,b", "a//b", "items(id)x"} {
		if _, err := parseFields(bad); err == nil {
			t.Errorf("parseFields(%q): no error", bad)
		}
	}
}
