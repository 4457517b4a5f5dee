package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// parseCommand splits "/name@bot args" into its lower-cased name, the bot
// it is addressed to (if any) and the trimmed arguments. ok is false for text
// that is not a command. It reads the text itself rather than trusting
// entity offsets, and never panics.
func parseCommand(text string) (name, at, args string, ok bool) {
	if !strings.HasPrefix(text, "/") || !utf8.ValidString(text) {
		return "", "", "", false
	}
	head, rest := text[1:], ""
	if i := strings.IndexFunc(head, unicode.IsSpace); i >= 0 {
		head, rest = head[:i], head[i:]
	}
	name, at, _ = strings.Cut(head, "@")
	if name == "" || len(name) > 32 {
		return "", "", "", false
	}
	for _, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", "", "", false
		}
	}
	return strings.ToLower(name), at, strings.TrimSpace(rest), true
}

// commandMenu is the list Telegram shows when the user types "/".
func commandMenu(lang string) []tgbotapi.BotCommand {
	if lang == "ru" {
		return []tgbotapi.BotCommand{
			{Command: "today", Description: "События на сегодня"},
			{Command: "tomorrow", Description: "События на завтра"},
			{Command: "week", Description: "Ближайшие 7 дней"},
			{Command: "next", Description: "Следующее событие"},
			{Command: "add", Description: "Добавить событие: /add Обед завтра 13:00"},
			{Command: "connect", Description: "Подключить Google Календарь"},
			{Command: "settings", Description: "Сводка, напоминания, пояс, язык, календари"},
			{Command: "disconnect", Description: "Отключить и отозвать доступ"},
			{Command: "help", Description: "Что умеет бот"},
		}
	}
	return []tgbotapi.BotCommand{
		{Command: "today", Description: "Today's events"},
		{Command: "tomorrow", Description: "Tomorrow's events"},
		{Command: "week", Description: "The next 7 days"},
		{Command: "next", Description: "The next event"},
		{Command: "add", Description: "Add an event: /add Lunch tomorrow 13:00"},
		{Command: "connect", Description: "Link your Google Calendar"},
		{Command: "settings", Description: "Agenda, reminders, time zone, language, calendars"},
		{Command: "disconnect", Description: "Unlink and revoke access"},
		{Command: "help", Description: "What the bot can do"},
	}
}
