package telegramfake

import (
	"html"
	"strings"
	"testing"
)

func TestParseHTML(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // plain text, when wantErr is ""
		wantErr  string
	}{
		{"plain", "hello", "hello", ""},
		{"nested tags", "<b>bold <i>both</i></b> done", "bold both done", ""},
		{"upper-case tag", "<B>x</B>", "x", ""},
		{"short end tag", "<b>x</>", "x", ""},
		{"link", `<a href="https://example.com/?a=1&amp;b=2">go</a>`, "go", ""},
		{"spoiler span", `<span class="tg-spoiler">x</span>`, "x", ""},
		{"bare class value", `<span class=tg-spoiler>x</span>`, "x", ""},
		{"expandable quote", "<blockquote expandable>x</blockquote>", "x", ""},
		{"code language", `<pre><code class="language-go">x := 1</code></pre>`, "x := 1", ""},
		{"entities", "&lt;a&gt; &amp; &quot;q&quot; &#39;s&#x21;", `<a> & "q" 's!`, ""},
		{"escaped user text", html.EscapeString(`Tom & "Jerry" <3 it's`), `Tom & "Jerry" <3 it's`, ""},
		{"unsupported tag", "line<br>next", "", `Unsupported start tag "br" at byte offset 4`},
		{"less-than sign", "1 < 2", "", `Unsupported start tag "" at byte offset 2`},
		{"bare ampersand", "Q&A", "", `Unescaped "&" at byte offset 1 (telegramfake requires &amp;)`},
		{"unknown named entity", "&nbsp;", "", `Unescaped "&" at byte offset 0 (telegramfake requires &amp;)`},
		{"unclosed start tag", "x <b", "", "Unclosed start tag at byte offset 2"},
		{"missing end tag", "<b>x", "", `Can't find end tag corresponding to start tag "b"`},
		{"unexpected end tag", "x</b>", "", "Unexpected end tag at byte offset 1"},
		{"unmatched end tag", "<b><i>x</b></i>", "", `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{"span without class", "<span>x</span>", "", `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"empty attribute name", `<a ="x">y</a>`, "", `Empty attribute name in the tag "a" at byte offset 0`},
		{"bad bare value", `<a href=http://x>y</a>`, "", "Unexpected end of name token at byte offset 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := parseHTML(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("parseHTML(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseHTML(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		name, text, parseMode string
		want                  string // description, "" for accepted
	}{
		{"plain", "hi", "", ""},
		{"empty", "", "", "Bad Request: message text is empty"},
		{"only spaces", " \n ", "", "Bad Request: message text is empty"},
		{"only empty tags", "<b> </b>", "HTML", "Bad Request: text must be non-empty"},
		{"limit in UTF-16 units", strings.Repeat("я", 4096), "", ""},
		{"over the limit", strings.Repeat("a", 4097), "", "Bad Request: message is too long"},
		{"emoji count twice", strings.Repeat("😀", 2049), "", "Bad Request: message is too long"},
		{"tags do not count", "<b>" + strings.Repeat("a", 4096) + "</b>", "HTML", ""},
		{"lower-case html", "<b>x</b>", "html", ""},
		{"markdown unchecked", "*x", "MarkdownV2", ""},
		{"unknown parse mode", "x", "BBCode", "Bad Request: unsupported parse_mode"},
		{"broken html", "<x>", "HTML", `Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := checkText(tt.text, tt.parseMode); err != nil {
				got = err.desc
			}
			if got != tt.want {
				t.Errorf("checkText(%.20q, %q) = %q, want %q", tt.text, tt.parseMode, got, tt.want)
			}
		})
	}
}

func TestValidButtonURL(t *testing.T) {
	tests := []struct {
		name, url string
		want      bool
	}{
		{"https", "https://calbot.example.com/oauth/start?state=x", true},
		{"http with port", "http://calbot.example.com:8080/x", true},
		{"ip address", "http://127.0.0.1:8080/x", true},
		{"localhost", "http://localhost:8080/oauth/start", false},
		{"single label", "https://calbot/x", false},
		{"javascript", "javascript:alert(1)", false},
		{"tg scheme", "tg://resolve?domain=x", false},
		{"no scheme", "calbot.example.com/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validButtonURL(tt.url); got != tt.want {
				t.Errorf("validButtonURL(%q) = %v, want %v", tt.url, got, tt.want)
			}
		})
	}
}
