package draft

import "time"

// Words of relative moments: "in 30 minutes", "через неделю".
var inWords = map[string]bool{"in": true, "через": true}

var (
	dayUnits = map[string]bool{
		"day": true, "days": true, "день": true, "дня": true, "дней": true,
	}
	weekUnits = map[string]bool{
		"week": true, "weeks": true, "неделю": true, "недели": true, "недель": true,
	}
	// oneWords stand for the number one before a unit: "in a week".
	oneWords = map[string]bool{"a": true, "an": true, "one": true}
)

// dayPart is a part of the day: a window of hours a time in it must fall
// into, and the hour it means when no time is given.
type dayPart struct{ from, to, def int }

const (
	partMorning = iota + 1
	partAfternoon
	partEvening
	partNight
)

var dayParts = map[int]dayPart{
	partMorning:   {5, 11, 9},
	partAfternoon: {12, 17, 14},
	partEvening:   {17, 23, 19},
	partNight:     {18, 23, 21},
}

var (
	// partNouns count only after a date or a rule ("tomorrow morning",
	// "every evening", "каждое утро") or after "this"/"in the".
	partNouns = map[string]int{
		"morning": partMorning, "afternoon": partAfternoon, "evening": partEvening, "night": partNight,
		"утро": partMorning, "вечер": partEvening,
	}
	// partAdverbs always count: "утром", "днём", "вечером".
	partAdverbs = map[string]int{"утром": partMorning, "днем": partAfternoon, "вечером": partEvening}
)

// Words of recurring events.
var (
	everyWords = map[string]bool{
		"every": true, "each": true,
		"каждый": true, "каждую": true, "каждое": true, "каждые": true,
	}
	otherWords = map[string]bool{"other": true, "второй": true, "вторую": true, "второе": true}
	andWords   = map[string]bool{"and": true, "и": true, "&": true}
	// untilWords end a series: "every Monday until 31.12".
	untilWords = map[string]bool{"until": true, "till": true, "through": true, "thru": true, "до": true, "по": true}
	// pluralWeekdays follow "on" or "по": "on Mondays", "по средам".
	pluralWeekdays = map[string]time.Weekday{
		"mondays": time.Monday, "tuesdays": time.Tuesday, "wednesdays": time.Wednesday,
		"thursdays": time.Thursday, "fridays": time.Friday, "saturdays": time.Saturday, "sundays": time.Sunday,
		"понедельникам": time.Monday, "вторникам": time.Tuesday, "средам": time.Wednesday,
		"четвергам": time.Thursday, "пятницам": time.Friday, "субботам": time.Saturday, "воскресеньям": time.Sunday,
	}
	workWeek = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	weekend  = []time.Weekday{time.Saturday, time.Sunday}
	// weekdayGroups are whole groups of days.
	weekdayGroups = map[string][]time.Weekday{
		"weekday": workWeek, "weekdays": workWeek, "будням": workWeek, "будни": workWeek,
		"weekend": weekend, "weekends": weekend, "выходным": weekend, "выходные": weekend,
	}
)

// leadWords introduce a date, time or rule: when one is left in the title
// right before a word that says when, the phrase was probably not read as
// meant (see unused.go).
var leadWords = map[string]bool{
	"next": true, "this": true, "every": true, "each": true, "in": true, "on": true,
	"until": true, "till": true, "through": true,
	"через": true, "каждый": true, "каждую": true, "каждое": true, "каждые": true,
	"следующий": true, "следующую": true, "следующая": true, "следующее": true, "следующей": true,
	"следующем": true, "след": true, "этот": true, "эту": true, "это": true, "эта": true, "этой": true,
	"этом": true, "до": true, "по": true, "с": true, "со": true,
}

// whenNouns are words that say when without being dates themselves; after
// a lead word they show that a date was meant ("next week", "через месяц").
var whenNouns = map[string]bool{
	"minute": true, "minutes": true, "min": true, "mins": true, "hour": true, "hours": true,
	"day": true, "days": true, "week": true, "weeks": true, "month": true, "months": true,
	"year": true, "years": true, "weekday": true, "weekdays": true, "weekend": true, "weekends": true,
	"morning": true, "afternoon": true, "evening": true, "night": true, "tonight": true,
	"a": true, "an": true, "half": true, "other": true, "time": true,
	"минуту": true, "минуты": true, "минут": true, "мин": true, "час": true, "часа": true, "часов": true,
	"полчаса": true, "полтора": true, "день": true, "дня": true, "дней": true, "сутки": true,
	"неделю": true, "недели": true, "недель": true, "неделе": true, "неделя": true,
	"месяц": true, "месяца": true, "месяцев": true, "месяце": true, "год": true, "года": true, "лет": true,
	"году": true, "будни": true, "будням": true, "выходные": true, "выходным": true,
	"утро": true, "утром": true, "вечер": true, "вечером": true, "ночь": true, "ночью": true,
	"второй": true, "вторую": true, "второе": true,
	// Genitive weekdays: "до пятницы".
	"понедельника": true, "вторника": true, "среды": true, "четверга": true,
	"пятницы": true, "субботы": true, "воскресенья": true,
}

// weakLeads often stand before a count of things ("встреча с 3
// клиентами", "work on 2 projects"): a plain number after them is no sign
// of a date.
var weakLeads = map[string]bool{"с": true, "со": true, "on": true, "each": true}

// loneWhenWords are never title words where they stand unused: "ночью"
// could be before or after midnight. (Plural weekdays without "on"/"по"
// are refused too.)
var loneWhenWords = map[string]bool{"ночью": true}
