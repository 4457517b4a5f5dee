package zone

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // as cmd/calbot: zones load without a system tzdata
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in       string
		zone, showName string
	}{
		{"iana exact", "Europe/Moscow", "Europe/Moscow", "Europe/Moscow"},
		{"iana lower case", "europe/moscow", "Europe/Moscow", "Europe/Moscow"},
		{"iana three parts", "america/argentina/buenos_aires", "America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"},
		{"iana with space for underscore", "America/New York", "America/New_York", "America/New_York"},
		{"iana lower-case particle", "AMERICA/PORT-AU-PRINCE", "America/Port-au-Prince", "America/Port-au-Prince"},
		{"iana utc", "utc", "UTC", "UTC"},
		{"iana etc keeps posix sign", "Etc/GMT-3", "Etc/GMT-3", "Etc/GMT-3"},
		{"utc plus whole hours", "UTC+3", "Etc/GMT-3", "UTC+03:00"},
		{"gmt plus", "GMT+5", "Etc/GMT-5", "UTC+05:00"},
		{"utc minus", "utc-7", "Etc/GMT+7", "UTC-07:00"},
		{"utc with space", "UTC + 10", "Etc/GMT-10", "UTC+10:00"},
		{"utc minus sign", "UTC−2", "Etc/GMT+2", "UTC-02:00"},
		{"utc half hour", "UTC-04:30", "UTC-04:30", "UTC-04:30"},
		{"utc compact", "UTC+0545", "UTC+05:45", "UTC+05:45"},
		{"utc +14", "UTC+14", "Etc/GMT-14", "UTC+14:00"},
		{"city english", "Moscow", "Europe/Moscow", "Moscow"},
		{"city russian", "Москва", "Europe/Moscow", "Москва"},
		{"city prefix г.", "г. Москва", "Europe/Moscow", "Москва"},
		{"city prefix г. no space", "г.Москва", "Europe/Moscow", "Москва"},
		{"city prefix город", "город Самара", "Europe/Samara", "Самара"},
		{"spb full", "Санкт-Петербург", "Europe/Moscow", "Санкт-Петербург"},
		{"spb hyphen as space", "санкт петербург", "Europe/Moscow", "Санкт-Петербург"},
		{"spb piter", "Питер", "Europe/Moscow", "Санкт-Петербург"},
		{"spb abbreviation", "СПб", "Europe/Moscow", "Санкт-Петербург"},
		{"spb english", "St. Petersburg", "Europe/Moscow", "Saint Petersburg"},
		{"new york", "New York", "America/New_York", "New York"},
		{"nyc", "NYC", "America/New_York", "New York"},
		{"new york russian", "Нью-Йорк", "America/New_York", "Нью-Йорк"},
		{"ekaterinburg", "Ekaterinburg", "Asia/Yekaterinburg", "Yekaterinburg"},
		{"yekaterinburg", "yekaterinburg", "Asia/Yekaterinburg", "Yekaterinburg"},
		{"екатеринбург", "Екатеринбург", "Asia/Yekaterinburg", "Екатеринбург"},
		{"yo read as ye", "Орёл", "Europe/Moscow", "Орёл"},
		{"ye for yo", "Орел", "Europe/Moscow", "Орёл"},
		{"izhevsk own zone", "Ижевск", "Europe/Samara", "Ижевск"},
		{"kemerovo", "Кемерово", "Asia/Novokuznetsk", "Кемерово"},
		{"kamchatka", "Петропавловск-Камчатский", "Asia/Kamchatka", "Петропавловск-Камчатский"},
		{"kaliningrad", "kaliningrad", "Europe/Kaliningrad", "Kaliningrad"},
		{"ambiguous resolved by country", "San Jose, Costa Rica", "America/Costa_Rica", "San Jose"},
		{"ambiguous resolved by code", "San Jose, us", "America/Los_Angeles", "San Jose"},
		{"ambiguous resolved by state", "Portland, Oregon", "America/Los_Angeles", "Portland"},
		{"ambiguous resolved by state code", "portland, me", "America/New_York", "Portland"},
		{"ambiguous resolved in russian", "Хайдарабад, Пакистан", "Asia/Karachi", "Хайдарабад"},
		{"same name same zone", "Ростов", "Europe/Moscow", "Ростов-на-Дону"},
		{"surrounding space", "  tokyo ", "Asia/Tokyo", "Tokyo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, name, err := Parse(tt.in)
			if err != nil || loc.String() != tt.zone || name != tt.showName {
				t.Errorf("Parse(%q) = %v, %q, %v; want %s, %q", tt.in, loc, name, err, tt.zone, tt.showName)
			}
		})
	}
}

func TestParseOffsetSign(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]int{"UTC+3": 3 * 3600, "UTC-5": -5 * 3600, "GMT+05:30": 5*3600 + 1800, "UTC-09:30": -9*3600 - 1800} {
		loc, _, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if _, off := at.In(loc).Zone(); off != want {
			t.Errorf("Parse(%q) is %ds east of UTC, want %d", in, off, want)
		}
	}
}

func TestParseRefused(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"blank", "   "},
		{"unknown city", "Atlantis"},
		{"unknown russian", "Гдетотамск"},
		{"offset too far", "UTC+15"},
		{"offset too far west", "UTC-13"},
		{"odd minutes", "UTC+03:07"},
		{"decimal hours", "UTC+5.5"},
		{"no sign", "UTC3"},
		{"path escape", "../../etc/passwd"},
		{"not a zone with slash", "Europe/Atlantis"},
		{"country that is not its", "Moscow, US"},
		{"too long", strings.Repeat("a", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, name, err := Parse(tt.in)
			if !errors.Is(err, ErrUnknown) {
				t.Errorf("Parse(%q) = %v, %q, %v; want ErrUnknown", tt.in, loc, name, err)
			}
		})
	}
}

func TestParseAmbiguous(t *testing.T) {
	tests := []struct {
		name, in string
		zones    []string
	}{
		{"portland", "Portland", []string{"America/Los_Angeles", "America/New_York"}},
		{"san jose", "san jose", []string{"America/Los_Angeles", "America/Costa_Rica"}},
		{"hyderabad", "Хайдарабад", []string{"Asia/Kolkata", "Asia/Karachi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse(tt.in)
			var amb *AmbiguousError
			if !errors.As(err, &amb) {
				t.Fatalf("Parse(%q) error = %v, want *AmbiguousError", tt.in, err)
			}
			var got []string
			for _, c := range amb.Choices {
				got = append(got, c.Zone)
			}
			if strings.Join(got, " ") != strings.Join(tt.zones, " ") {
				t.Errorf("Parse(%q) choices = %v, want %v", tt.in, got, tt.zones)
			}
			for _, z := range tt.zones {
				if !strings.Contains(err.Error(), z) {
					t.Errorf("error %q does not name %s", err, z)
				}
			}
		})
	}
}

// TestAmbiguousPicks: every place an ambiguous name may mean has a Pick
// (in the table as it is), and Parse reads each Pick as that place's zone.
func TestAmbiguousPicks(t *testing.T) {
	seen := map[string]bool{}
	for _, rows := range cityIndex {
		name := display(rows[0].en)
		if len(rows) < 2 || seen[name] {
			continue
		}
		seen[name] = true
		_, _, err := Parse(name)
		var amb *AmbiguousError
		if !errors.As(err, &amb) {
			continue // the places share a zone
		}
		for _, c := range amb.Choices {
			if c.Pick == "" {
				t.Errorf("Parse(%q): choice %+v has no Pick", name, c)
				continue
			}
			if loc, _, err := Parse(c.Pick); err != nil || loc.String() != c.Zone {
				t.Errorf("Parse(%q) = %v, %v; want %s", c.Pick, loc, err, c.Zone)
			}
		}
	}
	if _, _, err := Parse("Portland"); err == nil || !strings.Contains(fmt.Sprint(err.(*AmbiguousError).Choices), "Portland, Oregon") {
		t.Errorf("Parse(Portland) choices do not offer \"Portland, Oregon\": %v", err)
	}
}

// TestTableZonesLoad checks every row of the city table and every IANA
// name against the tzdata the binary embeds.
func TestTableZonesLoad(t *testing.T) {
	for _, tab := range [][]city{worldCities, russianCities} {
		for _, c := range tab {
			if _, err := time.LoadLocation(c.zone); err != nil {
				t.Errorf("%s: zone %q does not load: %v", display(c.en), c.zone, err)
			}
			if len(c.country) != 2 || c.ru == "" || c.en == "" {
				t.Errorf("%s: incomplete row %+v", display(c.en), c)
			}
		}
	}
	for _, n := range ianaNames {
		if _, err := time.LoadLocation(n); err != nil {
			t.Errorf("IANA name %q does not load: %v", n, err)
		}
	}
}

// TestTableSize holds the promise of the issue: the world's largest cities
// and every Russian regional capital.
func TestTableSize(t *testing.T) {
	if n := len(worldCities); n < 300 {
		t.Errorf("world table has %d cities, want at least 300", n)
	}
	capitals := []string{"Майкоп", "Горно-Алтайск", "Уфа", "Улан-Удэ", "Махачкала", "Магас", "Нальчик", "Элиста",
		"Черкесск", "Петрозаводск", "Сыктывкар", "Йошкар-Ола", "Саранск", "Якутск", "Владикавказ", "Казань", "Кызыл",
		"Ижевск", "Абакан", "Грозный", "Чебоксары", "Симферополь", "Барнаул", "Чита", "Петропавловск-Камчатский",
		"Краснодар", "Красноярск", "Пермь", "Владивосток", "Ставрополь", "Хабаровск", "Благовещенск", "Архангельск",
		"Астрахань", "Белгород", "Брянск", "Владимир", "Волгоград", "Вологда", "Воронеж", "Иваново", "Иркутск",
		"Калининград", "Калуга", "Кемерово", "Киров", "Кострома", "Курган", "Курск", "Гатчина", "Липецк", "Магадан",
		"Красногорск", "Мурманск", "Нижний Новгород", "Великий Новгород", "Новосибирск", "Омск", "Оренбург", "Орёл",
		"Пенза", "Псков", "Ростов-на-Дону", "Рязань", "Самара", "Саратов", "Южно-Сахалинск", "Екатеринбург",
		"Смоленск", "Тамбов", "Тверь", "Томск", "Тула", "Тюмень", "Ульяновск", "Челябинск", "Ярославль", "Москва",
		"Санкт-Петербург", "Севастополь", "Биробиджан", "Нарьян-Мар", "Ханты-Мансийск", "Анадырь", "Салехард"}
	if len(capitals) != 85 {
		t.Fatalf("test lists %d capitals, want 85", len(capitals))
	}
	for _, c := range capitals {
		if _, _, err := Parse(c); err != nil {
			t.Errorf("Parse(%q): %v", c, err)
		}
	}
}

// TestRussianZones pins the regions whose zone is easy to get wrong.
func TestRussianZones(t *testing.T) {
	want := map[string]string{
		"Самара": "Europe/Samara", "Ижевск": "Europe/Samara", "Ульяновск": "Europe/Ulyanovsk",
		"Астрахань": "Europe/Astrakhan", "Саратов": "Europe/Saratov", "Волгоград": "Europe/Volgograd",
		"Киров": "Europe/Kirov", "Омск": "Asia/Omsk", "Новосибирск": "Asia/Novosibirsk", "Барнаул": "Asia/Barnaul",
		"Томск": "Asia/Tomsk", "Кемерово": "Asia/Novokuznetsk", "Новокузнецк": "Asia/Novokuznetsk",
		"Красноярск": "Asia/Krasnoyarsk", "Иркутск": "Asia/Irkutsk", "Чита": "Asia/Chita", "Якутск": "Asia/Yakutsk",
		"Владивосток": "Asia/Vladivostok", "Магадан": "Asia/Magadan", "Южно-Сахалинск": "Asia/Sakhalin",
		"Петропавловск-Камчатский": "Asia/Kamchatka", "Анадырь": "Asia/Anadyr", "Калининград": "Europe/Kaliningrad",
	}
	for city, zone := range want {
		if loc, _, err := Parse(city); err != nil || loc.String() != zone {
			t.Errorf("Parse(%q) = %v, %v; want %s", city, loc, err, zone)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Europe/Moscow", "UTC+3", "utc-04:30", "GMT+5", "Питер", "г. Москва", "San Jose, CR", "Portland", "../x", "UTC+99:99", "Etc/GMT-14", "ё"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		loc, name, err := Parse(in)
		if err != nil {
			if loc != nil || name != "" {
				t.Errorf("Parse(%q) = %v, %q with error %v", in, loc, name, err)
			}
			return
		}
		if loc == nil || name == "" {
			t.Fatalf("Parse(%q) = %v, %q, nil", in, loc, name)
		}
		if _, err := time.LoadLocation(loc.String()); err != nil && !strings.HasPrefix(loc.String(), "UTC") {
			t.Errorf("Parse(%q) = %v, which does not load: %v", in, loc, err)
		}
		_, off := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).In(loc).Zone()
		if off < -12*3600 || off > 14*3600 {
			t.Errorf("Parse(%q) = %v, %ds from UTC", in, loc, off)
		}
	})
}

func TestFromLocation(t *testing.T) {
	tests := []struct {
		name     string
		lat, lon float64
		zone     string
	}{
		{"moscow", 55.7558, 37.6173, "Europe/Moscow"},
		{"izhevsk", 56.85, 53.2, "Europe/Samara"},
		{"kaliningrad", 54.71, 20.51, "Europe/Kaliningrad"},
		{"new york", 40.7128, -74.006, "America/New_York"},
		{"petropavlovsk", 53.01, 158.65, "Asia/Kamchatka"},
		{"open sea", 0, -30, "Etc/GMT+2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := FromLocation(tt.lat, tt.lon)
			if err != nil || loc.String() != tt.zone {
				t.Errorf("FromLocation(%v, %v) = %v, %v; want %s", tt.lat, tt.lon, loc, err, tt.zone)
			}
		})
	}
	for _, p := range [][2]float64{{91, 0}, {0, 181}, {math.NaN(), 0}} {
		if loc, err := FromLocation(p[0], p[1]); !errors.Is(err, ErrNoZone) {
			t.Errorf("FromLocation(%v, %v) = %v, %v; want ErrNoZone", p[0], p[1], loc, err)
		}
	}
}
