package oauth

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// pageNames names every page in the golden file; a new page needs a name.
var pageNames = map[page]string{
	pageConnected:     "connected",
	pageInvalid:       "invalid",
	pageDenied:        "denied",
	pageMissingScope:  "missing-scope",
	pageFailed:        "failed",
	pageMisconfigured: "misconfigured",
	pageOtherAccount:  "other-account",
	pageOtherBrowser:  "other-browser",
	pageConfirm:       "confirm",

	pageGrown:            "grown",
	pageGrowDenied:       "grow-denied",
	pageGrowMissing:      "grow-missing-scope",
	pageGrowOtherAccount: "grow-other-account",
}

// pageEmails is how often a page names the linked account; others, none.
var pageEmails = map[page]int{pageConnected: 1, pageGrown: 1, pageGrowDenied: 1, pageGrowMissing: 1, pageGrowOtherAccount: 2}

func TestPageCatalogue(t *testing.T) {
	if got := slices.Sorted(maps.Keys(pages)); !slices.Equal(got, []string{"en", "ru"}) {
		t.Errorf("page languages = %q, want [en ru]", got)
	}
	for p, name := range pageNames {
		en, ru := pages["en"][p], pages["ru"][p]
		for _, tt := range []struct {
			lang string
			text pageText
		}{{"en", en}, {"ru", ru}} {
			if tt.text.Title == "" || tt.text.Body == "" {
				t.Errorf("page %s has no %s text: %+v", name, tt.lang, tt.text)
			}
			wantEmail := pageEmails[p]
			if got := strings.Count(tt.text.Body, "{{.Email}}"); got != wantEmail {
				t.Errorf("page %s in %s has {{.Email}} %d times, want %d", name, tt.lang, got, wantEmail)
			}
			wantTelegram := 0
			if p == pageConnected || p == pageConfirm {
				wantTelegram = 1
			}
			if got := strings.Count(tt.text.Body, "{{.Telegram}}"); got != wantTelegram {
				t.Errorf("page %s in %s has {{.Telegram}} %d times, want %d", name, tt.lang, got, wantTelegram)
			}
			wantOther := 0
			if p == pageGrowOtherAccount {
				wantOther = 1
			}
			if got := strings.Count(tt.text.Body, "{{.Other}}"); got != wantOther {
				t.Errorf("page %s in %s has {{.Other}} %d times, want %d", name, tt.lang, got, wantOther)
			}
			if (tt.text.Button != "") != (p == pageConfirm) {
				t.Errorf("page %s in %s has button %q", name, tt.lang, tt.text.Button)
			}
		}
		if en == ru {
			t.Errorf("page %s is not translated: %+v", name, en)
		}
	}
	for lang, catalogue := range pages {
		for p := range catalogue {
			if _, ok := pageNames[p]; !ok {
				t.Errorf("page %d (%s) has no name in pageNames", p, lang)
			}
		}
		if len(catalogue) != len(pageNames) {
			t.Errorf("%s has %d pages, want %d", lang, len(catalogue), len(pageNames))
		}
	}
}

func TestPagesGolden(t *testing.T) {
	var got bytes.Buffer
	for _, lang := range []string{"en", "ru"} {
		for _, p := range slices.Sorted(maps.Keys(pageNames)) {
			rec := httptest.NewRecorder()
			d := pageData{Email: "alice@example.com", Telegram: Person{FirstName: "Alice", Username: "alice"}.Name(), Other: "bob@example.org"}
			if p == pageConfirm {
				d.Form, d.FormTarget = &confirmForm{Action: "https://calbot.example.com/oauth/start", State: "STATE", Confirm: "CONFIRM"}, "https://accounts.google.com"
			}
			renderPage(rec, http.StatusOK, lang, p, d)
			fmt.Fprintf(&got, "==== %s %s\n", pageNames[p], lang)
			for _, k := range slices.Sorted(maps.Keys(rec.Header())) {
				fmt.Fprintf(&got, "%s: %s\n", k, rec.Header().Get(k))
			}
			fmt.Fprintf(&got, "\n%s\n", rec.Body)
		}
	}
	golden := filepath.Join("testdata", "pages.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./oauth -run TestPagesGolden -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("rendered pages differ from %s (-want +got); rerun with -update if intended:\n%s", golden, diff)
	}
}

func TestRenderPage(t *testing.T) {
	tests := []struct {
		name, lang, email string
		tg                string
		p                 page
		want, notWant     string
	}{
		{"email shown", "en", "alice@example.com", "", pageConnected, "(alice@example.com)", ""},
		{"email escaped", "en", `<b>"x"</b>@example.com`, "", pageConnected, "&lt;b&gt;&#34;x&#34;&lt;/b&gt;@example.com", "<b>"},
		{"template in email is not run", "ru", "{{.Lang}}@example.com", "", pageConnected, "{{.Lang}}@example.com", ""},
		{"telegram name shown", "en", "a@example.com", "Alice (@alice)", pageConnected, "Telegram account Alice (@alice)", ""},
		{"telegram name escaped", "en", "", `<script>x</script>`, pageConfirm, "&lt;script&gt;", "<script>"},
		{"template in telegram name is not run", "en", "", "{{.Email}}", pageConfirm, "{{.Email}}", ""},
		{"unknown language falls back to english", "de", "", "", pageDenied, pages["en"][pageDenied].Title, ""},
		{"russian", "ru", "", "", pageInvalid, `<html lang="ru">`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			renderPage(rec, http.StatusTeapot, tt.lang, tt.p, pageData{Email: tt.email, Telegram: tt.tg})
			body := rec.Body.String()
			if rec.Code != http.StatusTeapot {
				t.Errorf("status = %d, want %d", rec.Code, http.StatusTeapot)
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("renderPage(%q, %q) lacks %q:\n%s", tt.lang, tt.email, tt.want, body)
			}
			if tt.notWant != "" && strings.Contains(body, tt.notWant) {
				t.Errorf("renderPage(%q, %q) contains %q:\n%s", tt.lang, tt.email, tt.notWant, body)
			}
		})
	}
}
