package bot

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/calbot/calbot/storage"
	"github.com/calbot/calbot/zone"
)

func TestParseSetting(t *testing.T) {
	base := storage.Settings{Zone: "Europe/Moscow", Quiet: storage.Quiet{Hold: true}}
	tests := []struct {
		name, args string
		want       func(*storage.Settings) // nil: refused
	}{
		{"agenda time", "agenda 07:30", func(s *storage.Settings) { s.Agenda = storage.Agenda{On: true, At: 450} }},
		{"agenda on", "agenda on", func(s *storage.Settings) { s.Agenda = storage.Agenda{On: true, At: 480} }},
		{"agenda weekdays", "agenda 9:00 weekdays", func(s *storage.Settings) { s.Agenda = storage.Agenda{On: true, At: 540, Weekdays: true} }},
		{"agenda off", "agenda off", func(s *storage.Settings) {}},
		{"agenda skip empty", "Agenda ON skip-empty", func(s *storage.Settings) { s.Agenda = storage.Agenda{On: true, At: 480, SkipEmpty: true} }},
		{"reminders fixed", "reminders 30 10 10", func(s *storage.Settings) { s.Reminders.Leads = []int{10, 30} }},
		{"reminders google", "reminders google", func(s *storage.Settings) {}},
		{"reminders off", "reminders off", func(s *storage.Settings) { s.Reminders.Off = true }},
		{"quiet", "quiet 22:00-07:00", func(s *storage.Settings) { s.Quiet = storage.Quiet{On: true, From: 1320, To: 420, Hold: true} }},
		{"quiet silent", "quiet 23:30-6:00 silent", func(s *storage.Settings) { s.Quiet = storage.Quiet{On: true, From: 1410, To: 360} }},
		{"quiet off", "quiet off", func(s *storage.Settings) {}},
		{"zone iana", "zone Asia/Tokyo", func(s *storage.Settings) { s.ZoneOverride = "Asia/Tokyo" }},
		{"zone offset", "zone UTC+3", func(s *storage.Settings) { s.ZoneOverride = "Etc/GMT-3" }},
		{"zone negative offset", "zone utc-5", func(s *storage.Settings) { s.ZoneOverride = "Etc/GMT+5" }},
		{"zone city", "zone Berlin", func(s *storage.Settings) { s.ZoneOverride = "Europe/Berlin" }},
		{"zone russian city", "zone Новосибирск", func(s *storage.Settings) { s.ZoneOverride = "Asia/Novosibirsk" }},
		{"zone city and state", "zone Portland, Oregon", func(s *storage.Settings) { s.ZoneOverride = "America/Los_Angeles" }},
		{"lang", "lang ru", func(s *storage.Settings) { s.Lang = "ru" }},
		{"lang auto", "language auto", func(s *storage.Settings) {}},
		{"nothing", "", nil},
		{"unknown", "colour blue", nil},
		{"agenda bad time", "agenda 25:00", nil},
		{"agenda word", "agenda sometimes", nil},
		{"reminders zero", "reminders 0", nil},
		{"reminders too many", "reminders 1 2 3 4 5 6", nil},
		{"reminders words", "reminders soon", nil},
		{"quiet same", "quiet 22:00-22:00", nil},
		{"quiet bad mode", "quiet 22:00-07:00 loud", nil},
		{"zone unknown", "zone Mars/Olympus", nil},
		{"zone path", "zone ../../etc/passwd", nil},
		{"zone offset too big", "zone UTC+15", nil},
		{"zone half hour offset", "zone UTC+5:30", nil},
		{"zone ambiguous city", "zone Portland", nil},
		{"lang other", "lang de", nil},
		{"invitations notify", "invitations notify", func(s *storage.Settings) { s.NotifyOrganizer = true }},
		{"invitations quiet", "Invitations QUIET", func(s *storage.Settings) { s.NotifyOrganizer = false }},
		{"invites notify", "invites notify", func(s *storage.Settings) { s.NotifyOrganizer = true }},
		{"invitations word", "invitations loud", nil},
		{"invitations two words", "invitations notify quiet", nil},
		{"invitations nothing", "invitations", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := parseSetting(tt.args, zone.Parse)
			if tt.want == nil {
				if err == nil {
					t.Errorf("parseSetting(%q) succeeded; want an error", tt.args)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseSetting(%q): %v", tt.args, err)
			}
			got, want := base, base
			got.Quiet.Hold, want.Quiet.Hold = true, true
			ch.apply(&got)
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parseSetting(%q) changed (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestSettingsTextGolden(t *testing.T) {
	all := storage.Settings{
		Zone: "Europe/Moscow", ZoneOverride: "Asia/Tokyo", Lang: "ru",
		Agenda: storage.Agenda{On: true, At: 450, Weekdays: true, SkipEmpty: true}, Reminders: storage.Reminders{Leads: []int{10, 30}},
		Quiet:     storage.Quiet{On: true, From: 1320, To: 420, Hold: true},
		Calendars: []storage.Calendar{{ID: "primary", Name: "Ann <me>", Shown: true, Writable: true}, {ID: "w@g", Name: "Work", Shown: true, Writable: true}, {ID: "h", Name: "Holidays"}},
		AddTo:     "w@g", NotifyOrganizer: true,
	}
	for _, lang := range []string{"en", "ru"} {
		got := settingsText(lang, storage.Settings{}) + "\n---\n" + settingsText(lang, storage.Settings{Zone: "Europe/Moscow", Reminders: storage.Reminders{Off: true}}) +
			"\n---\n" + settingsText(lang, all) + "\n"
		golden(t, "settings."+lang+".golden", got)
	}
}
