package oauth

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
)

// page is one of the few pages a browser sees on its way back from Google.
type page int

const (
	pageConnected page = iota
	pageInvalid
	pageDenied
	pageMissingScope
	pageFailed
	pageMisconfigured
)

type pageText struct{ Title, Body string }

// pages is the catalogue of page texts, one per language. {{.Email}} in a
// body stands for the linked account.
var pages = map[string]map[page]pageText{
	"en": {
		pageConnected:     {"Connected", "Your Google Calendar ({{.Email}}) is now linked to calbot. You can close this page and go back to Telegram."},
		pageInvalid:       {"This sign-in link is no longer valid", "Sign-in links work once and for 10 minutes. Go back to Telegram and send /connect for a new one. Nothing was changed."},
		pageDenied:        {"Calendar not connected", "You cancelled on Google's page, so nothing was linked. To try again, send /connect in Telegram."},
		pageMissingScope:  {"Calendar access was not granted", "calbot needs permission to see and edit the events in your calendars. Send /connect in Telegram again and tick the Google Calendar box on Google's page. Nothing was stored."},
		pageFailed:        {"Sign-in did not finish", "Something went wrong while talking to Google. Nothing was stored. Go back to Telegram and send /connect to try again."},
		pageMisconfigured: {"calbot is not set up correctly", "Google refused this bot's OAuth client. Please tell the bot's operator (they can run \"calbot doctor\"). Nothing was stored."},
	},
	"ru": {
		pageConnected:     {"Календарь подключён", "Ваш Google Календарь ({{.Email}}) подключён к calbot. Эту страницу можно закрыть и вернуться в Telegram."},
		pageInvalid:       {"Ссылка для входа больше не действует", "Ссылка работает один раз и 10 минут. Вернитесь в Telegram и отправьте /connect, чтобы получить новую. Ничего не изменилось."},
		pageDenied:        {"Календарь не подключён", "Вы отменили вход на странице Google, поэтому ничего не подключено. Чтобы попробовать снова, отправьте /connect в Telegram."},
		pageMissingScope:  {"Доступ к календарю не выдан", "calbot нужен доступ к просмотру и изменению событий в ваших календарях. Отправьте /connect в Telegram ещё раз и поставьте галочку Google Календаря на странице Google. Ничего не сохранено."},
		pageFailed:        {"Вход не завершён", "Что-то пошло не так при обращении к Google. Ничего не сохранено. Вернитесь в Telegram и отправьте /connect, чтобы попробовать снова."},
		pageMisconfigured: {"calbot настроен неправильно", "Google отклонил OAuth-клиент этого бота. Сообщите об этом владельцу бота (он может запустить «calbot doctor»). Ничего не сохранено."},
	},
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} · calbot</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32em;margin:3em auto;padding:0 1em;color:#222}h1{font-size:1.4em}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Body}}</p></body></html>
`))

// pageLang picks the page language: the one the chat used, else the
// browser's preference between English and Russian.
func pageLang(chatLang string, r *http.Request) string {
	if chatLang == "ru" || chatLang == "en" {
		return chatLang
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))), "ru") {
		return "ru"
	}
	return "en"
}

// renderPage writes page p in lang. It loads nothing from elsewhere, leaks no
// referrer and is not cached: the callback URL carries a code.
func renderPage(w http.ResponseWriter, status int, lang string, p page, email string) {
	text, ok := pages[lang]
	if !ok {
		text = pages["en"]
	}
	t := text[p]
	body := strings.ReplaceAll(t.Body, "{{.Email}}", email)
	var buf bytes.Buffer
	pageTemplate.Execute(&buf, struct{ Lang, Title, Body string }{lang, t.Title, body})
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
