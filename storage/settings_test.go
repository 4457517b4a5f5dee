package storage

import (
	"encoding/json"
	"reflect"
	"testing"

	"go.etcd.io/bbolt"
)

func TestSettingsRoundTrip(t *testing.T) {
	db, _ := openTest(t)
	if s, err := db.Settings(4); err != nil || !reflect.DeepEqual(s, Settings{}) {
		t.Errorf("Settings of a new chat = %+v, %v; want zero, nil", s, err)
	}
	if err := db.UpdateSettings(4, func(s *Settings) { s.Zone = "Europe/Moscow" }); err != nil {
		t.Fatal(err)
	}
	want := Settings{Version: SettingsVersion, Zone: "Europe/Moscow"}
	if s, err := db.Settings(4); err != nil || !reflect.DeepEqual(s, want) {
		t.Errorf("Settings = %+v, %v; want %+v", s, err, want)
	}
	if s, _ := db.Settings(5); !reflect.DeepEqual(s, Settings{}) {
		t.Errorf("another chat's Settings = %+v, want zero", s)
	}
}

// TestSettingsReadOldLinkZone: a chat linked by an older calbot has its zone
// in the link; it is read from there, and the first write moves it.
func TestSettingsReadOldLinkZone(t *testing.T) {
	db, _ := openTest(t)
	db.PutLink(Link{ChatID: 9, RefreshToken: "r", Zone: "Asia/Tokyo"})
	if s, err := db.Settings(9); err != nil || s.Zone != "Asia/Tokyo" {
		t.Errorf("Settings = %+v, %v; want the link's zone", s, err)
	}
	if err := db.UpdateSettings(9, func(*Settings) {}); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Settings(9); s.Zone != "Asia/Tokyo" || s.Version != SettingsVersion {
		t.Errorf("Settings after a write = %+v, want the zone kept", s)
	}
	if l, _ := db.Link(9); l.Zone != "" || l.RefreshToken != "r" {
		t.Errorf("link after the move = zone %q, token %q; want no zone, token kept", l.Zone, l.RefreshToken)
	}
	// Settings win over a zone still in a link.
	db.UpdateLink(9, func(l *Link) error { l.Zone = "UTC"; return nil })
	if s, _ := db.Settings(9); s.Zone != "Asia/Tokyo" {
		t.Errorf("Settings = %+v, want its own zone over the link's", s)
	}
}

func TestDeleteLinkDeletesSettings(t *testing.T) {
	db, _ := openTest(t)
	db.PutLink(Link{ChatID: 9, RefreshToken: "r"})
	db.UpdateSettings(9, func(s *Settings) { s.Zone = "Europe/Moscow" })
	db.UpdateSettings(10, func(s *Settings) { s.Zone = "Europe/Paris" })
	if _, err := db.DeleteLink(9); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Settings(9); !reflect.DeepEqual(s, Settings{}) {
		t.Errorf("Settings after DeleteLink = %+v, want none", s)
	}
	if s, _ := db.Settings(10); s.Zone != "Europe/Paris" {
		t.Errorf("another chat's Settings = %+v, want them kept", s)
	}
}

func TestSettingsRefuseNewerAndMoved(t *testing.T) {
	db, _ := openTest(t)
	db.UpdateSettings(1, func(s *Settings) { s.Zone = "UTC" })
	newer, _ := db.seal(Settings{Version: SettingsVersion + 1, Zone: "UTC"}, settingsAD(2))
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		if err := b.Put(chatKey(2), newer); err != nil {
			return err
		}
		// A record copied under another chat must not open.
		return b.Put(chatKey(3), b.Get(chatKey(1)))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Settings(2); err == nil {
		t.Error("Settings of a newer version read without error")
	}
	if err := db.UpdateSettings(2, func(*Settings) {}); err == nil {
		t.Error("UpdateSettings overwrote settings of a newer version")
	}
	if _, err := db.Settings(3); err == nil {
		t.Error("Settings copied from another chat opened")
	}
	if err := db.UpdateSettings(7, func(*Settings) {}); err != nil {
		t.Errorf("UpdateSettings of an unknown chat = %v, want it stored", err)
	}
}

// TestSettingsVersion1 reads a record written by calbot before /settings
// existed: its zone stays, every choice is the default, and the next write
// is the current version.
func TestSettingsVersion1(t *testing.T) {
	db, _ := openTest(t)
	old, err := db.seal(json.RawMessage(`{"v":1,"zone":"Europe/Berlin"}`), settingsAD(5))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketSettings).Put(chatKey(5), old) }); err != nil {
		t.Fatal(err)
	}
	got, err := db.Settings(5)
	if want := (Settings{Version: 1, Zone: "Europe/Berlin"}); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Settings(version 1 record) = %+v, %v; want %+v", got, err, want)
	}
	if err := db.UpdateSettings(5, func(s *Settings) { s.Agenda = Agenda{On: true, At: 450} }); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Settings(5)
	if got.Version != SettingsVersion || got.Zone != "Europe/Berlin" || got.Agenda.At != 450 {
		t.Errorf("after an update = %+v; want version %d with the zone kept", got, SettingsVersion)
	}
}

func TestSettingsShown(t *testing.T) {
	tests := []struct {
		name string
		cals []Calendar
		want []string
	}{
		{"none listed", nil, []string{"primary"}},
		{"none ticked", []Calendar{{ID: "primary"}, {ID: "work"}}, []string{"primary"}},
		{"ticked ones", []Calendar{{ID: "primary", Shown: true}, {ID: "team"}, {ID: "work", Shown: true}}, []string{"primary", "work"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range (Settings{Calendars: tt.cals}).Shown() {
				got = append(got, c.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Shown() = %v, want %v", got, tt.want)
			}
		})
	}
}
