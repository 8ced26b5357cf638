"""Place names in Vietnamese: countries from CLDR (the territory names Babel ships for the ``vi`` locale),
plus the spellings Vietnamese news uses that CLDR does not (CLDR "Hoa Kỳ", news "Mỹ"; CLDR "Ukraina",
news "Ukraine"), capitals and world cities, regions, and the provinces and main cities of Việt Nam.

No maintained, licensed source lists Việt Nam's provinces as news writes them (the pre-2025 63 and the
merged 34 both appear), nor world capitals in Vietnamese, so those lists are ours (VIETNAM_PROVINCES,
CITIES). Ambiguous names that are also common Vietnamese given names or words ("Anh", "Đức", "Thái",
"Nam") are kept apart in AMBIGUOUS: rules label them only with a supporting cue.
"""

from __future__ import annotations

from functools import cache

COUNTRY_VARIANTS = (
    "Mỹ", "Hoa Kỳ", "Anh", "Vương quốc Anh", "Pháp", "Đức", "Nga", "Liên bang Nga", "Trung Quốc", "Nhật Bản",
    "Nhật", "Hàn Quốc", "Triều Tiên", "Bắc Triều Tiên", "Ukraine", "Ukraina", "Belarus", "Việt Nam",
    "Lào", "Campuchia", "Thái Lan", "Úc", "Australia", "Ấn Độ", "Ý", "Italy", "Tây Ban Nha", "Bồ Đào Nha",
    "Hà Lan", "Thụy Điển", "Thụy Sĩ", "Na Uy", "Phần Lan", "Đan Mạch", "Ba Lan", "Séc", "Hungary", "Áo",
    "Bỉ", "Hy Lạp", "Thổ Nhĩ Kỳ", "Iran", "Iraq", "Syria", "Israel", "Palestine", "Ả Rập Xê Út",
    "Saudi Arabia", "Ai Cập", "Nam Phi", "Brazil", "Argentina", "Mexico", "Canada", "Cuba", "Venezuela",
    "Indonesia", "Malaysia", "Singapore", "Philippines", "Myanmar", "Brunei", "Đông Timor", "Đài Loan",
    "Hong Kong", "Hồng Kông", "Macau", "Mông Cổ", "Kazakhstan", "Afghanistan", "Pakistan", "Bangladesh",
    "Sri Lanka", "Nepal", "New Zealand", "Qatar", "UAE", "Kuwait", "Yemen", "Libya", "Nigeria", "Kenya",
    "Liên Xô", "Crimea", "Gaza", "Scotland", "Xứ Wales", "Bắc Ireland", "Ireland", "Chile", "Colombia",
    "Peru", "Uruguay", "Paraguay", "Bolivia", "Ecuador", "Triều Tiên", "Moldova", "Gruzia", "Georgia",
    "Armenia", "Azerbaijan", "Lithuania", "Latvia", "Estonia", "Romania", "Bulgaria", "Serbia", "Croatia",
    "Slovakia", "Slovenia", "Iceland", "Luxembourg", "Monaco", "Vatican", "Jordan", "Lebanon", "Liban",
    "Oman", "Bahrain", "Ethiopia", "Maroc", "Morocco", "Algeria", "Tunisia", "Sudan", "Somalia",
)
CITIES = (
    "Moscow", "Mátxcơva", "Matxcơva", "Kiev", "Kyiv", "Minsk", "Washington", "Bắc Kinh", "Thượng Hải",
    "Tokyo", "Seoul", "Bình Nhưỡng", "London", "Paris", "Berlin", "Rome", "Madrid", "Brussels", "Geneva",
    "Vienna", "Warsaw", "Prague", "Budapest", "Athens", "Ankara", "Istanbul", "Tehran", "Baghdad",
    "Damascus", "Jerusalem", "Tel Aviv", "Cairo", "New York", "Los Angeles", "San Francisco", "Chicago",
    "Texas", "California", "Florida", "Manchester", "Liverpool", "Bangkok", "Viêng Chăn", "Vientiane",
    "Phnom Penh", "Jakarta", "Kuala Lumpur", "Manila", "Yangon", "Naypyidaw", "New Delhi", "Sydney",
    "Melbourne", "Canberra", "Ottawa", "Toronto", "Dnipro", "Kharkiv", "Odessa", "Donetsk", "Luhansk",
    "Kursk", "Sochi", "St. Petersburg", "Saint Petersburg", "Vladivostok", "Davos", "Singapore", "Dubai",
    "Doha", "Riyadh", "Kabul", "Islamabad", "Mumbai", "Hiroshima", "Osaka", "Busan", "Đài Bắc",
    "Quảng Châu", "Thâm Quyến", "Vũ Hán", "Hawaii", "Alaska", "Nhà Trắng",
)
REGIONS = (
    "châu Âu", "châu Á", "châu Phi", "châu Mỹ", "châu Úc", "Bắc Mỹ", "Nam Mỹ", "Mỹ Latinh", "Trung Đông",
    "Đông Nam Á", "Đông Á", "Nam Á", "Trung Á", "Tây Âu", "Đông Âu", "Bắc Âu", "phương Tây", "phương Đông",
    "Biển Đông", "Thái Bình Dương", "Đại Tây Dương", "Ấn Độ Dương", "Bắc Cực", "Nam Cực", "Điện Kremlin",
    "Tây Nguyên", "Nam Bộ", "Bắc Bộ", "Trung Bộ", "Tây Bắc", "Đông Bắc", "đồng bằng sông Cửu Long",
    "Đồng bằng sông Cửu Long", "ĐBSCL", "miền Trung", "miền Bắc", "miền Nam", "Bán đảo Triều Tiên",
    "bán đảo Triều Tiên", "Hoàng Sa", "Trường Sa",
)
VIETNAM_PROVINCES = (
    "Hà Nội", "TP.HCM", "TP HCM", "TPHCM", "TP. HCM", "TP.Hồ Chí Minh", "TP Hồ Chí Minh", "Sài Gòn",
    "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "An Giang", "Bà Rịa - Vũng Tàu", "Bà Rịa-Vũng Tàu",
    "Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định", "Bình Dương",
    "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai",
    "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình",
    "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai",
    "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình",
    "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình",
    "Thái Nguyên", "Thanh Hóa", "Thừa Thiên - Huế", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Nha Trang", "Đà Lạt", "Hạ Long", "Phú Quốc",
    "Sa Pa", "Hội An", "Biên Hòa", "Vinh", "Buôn Ma Thuột", "Pleiku", "Quy Nhơn", "Mỹ Tho", "Rạch Giá",
)
# Also common given names or words: labelled LOC only with a cue (see analysis.rules).
AMBIGUOUS = frozenset({"Anh", "Đức", "Thái", "Nam", "Pháp", "Ý", "Úc", "Nhật", "Áo", "Bỉ", "Séc", "Vinh",
                       "Huế", "Lào", "Síp"})


@cache
def cldr_countries() -> frozenset[str]:
    """Country and territory names in Vietnamese from CLDR (Babel); empty if Babel is missing."""
    try:
        from babel import Locale
    except ImportError:  # pragma: no cover
        return frozenset()
    names = Locale("vi").territories
    return frozenset(v for k, v in names.items() if k.isalpha() and len(k) == 2 and "(" not in v)


@cache
def places() -> dict[str, str]:
    """surface → "LOC" for every place name docbao knows (longest names matched first by the rules)."""
    out: dict[str, str] = {}
    for group in (cldr_countries(), COUNTRY_VARIANTS, CITIES, REGIONS, VIETNAM_PROVINCES):
        for name in group:
            out[name] = "LOC"
    return out
