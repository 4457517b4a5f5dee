package oauthfake

import (
	"bytes"
	"html/template"
	"net/http"
)

// consentData fills consentPage.
type consentData struct {
	ID, ClientID, Email string
	Optional            []string // scopes the user may untick
}

// consentPage imitates Google's consent screen. The form posts to a relative
// URL so that the page also works under a path prefix.
var consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - Google Accounts</title></head>
<body>
<h1>Sign in with Google</h1>
<p>Signed in as <b>{{.Email}}</b>. The app {{.ClientID}} wants to access your Google Account.</p>
<form method="post" action="consent">
<input type="hidden" name="consent" value="{{.ID}}">
{{range .Optional}}<p><label><input type="checkbox" name="scope" value="{{.}}" checked> {{.}}</label></p>
{{end}}<button type="submit" name="action" value="deny">Cancel</button>
<button type="submit" name="action" value="allow">Continue</button>
</form>
</body></html>
`))

// errorPage imitates Google's "Access blocked" page.
var errorPage = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Error {{.Status}}: {{.Code}}</title></head>
<body>
<h1>Access blocked: This app’s request is invalid</h1>
<p>{{.Description}}</p>
<p>Error {{.Status}}: {{.Code}}</p>
</body></html>
`))

// writeErrorPage answers an invalid authorization request. Google serves
// these pages with status 400 whatever number they show.
func writeErrorPage(w http.ResponseWriter, e *AuthError) {
	writePage(w, http.StatusBadRequest, errorPage, e)
}

func writePage(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, "oauthfake: render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
