"""Place names in Vietnamese: countries from CLDR (the territory names Babel ships for the ``vi`` locale),
plus the spellings Vietnamese news uses that CLDR does not (CLDR "Hoa Kỳ", news "Mỹ"; CLDR "Ukraina",
news "Ukraine"), capitals and world cities, regions, and the provinces and main cities of Việt Nam.

No maintained, licensed source lists Việt Nam's provinces as news writes them (the pre-2025 63 and the
merged 34 both appear), nor world capitals in Vietnamese, so those lists are ours (VIETNAM_PROVINCES,
CITIES).
"""

from __future__ import annotations

from functools import cache

# Word lists the analysis reads as features and cues: organisation heads and names, media, place heads,
# product cues, Vietnamese family names, titles and honorifics, speech verbs.

ORG_HEADS = (
    "bộ", "sở", "ủy ban", "uỷ ban", "ubnd", "hđnd", "ủy ban nhân dân", "hội đồng nhân dân", "công ty",
    "tổng công ty", "tập đoàn", "ngân hàng", "trường", "trường đại học", "đại học", "học viện", "viện",
    "hội đồng", "đảng", "quốc hội", "công an", "tòa án", "toà án", "tand", "viện kiểm sát", "vksnd",
    "bệnh viện", "hiệp hội", "hội", "liên đoàn", "câu lạc bộ", "clb", "ban", "cục", "tổng cục", "chi cục",
    "trung tâm", "quỹ", "tổ chức", "liên minh", "cơ quan", "văn phòng", "thông tấn xã", "đài truyền hình",
    "đài phát thanh", "báo", "tạp chí", "nhà xuất bản", "hãng", "hãng thông tấn", "lực lượng", "quân đội",
    "quân khu", "bộ tư lệnh", "bộ chỉ huy", "cảnh sát", "phòng cảnh sát", "ủy ban châu âu", "liên hợp quốc",
    "nhà nước liên minh", "hợp tác xã", "htx", "tòa án nhân dân", "viện kiểm sát nhân dân", "mặt trận",
    "đoàn thanh niên", "hội liên hiệp", "tổng liên đoàn", "ngân hàng nhà nước", "kho bạc", "chi nhánh",
    "trường thpt", "trường thcs", "trường tiểu học", "tiểu học", "thcs", "thpt", "đội tuyển", "nhà nước",
)

# Standalone organisation names with no head noun pattern.
ORG_NAMES = ("Quốc hội", "Chính phủ", "Liên Hợp Quốc", "Liên hợp quốc", "NATO", "Liên minh châu Âu", "EU",
             "ASEAN", "WHO", "IMF", "WTO", "FIFA", "UEFA", "AFF", "Lầu Năm Góc", "Quốc vụ viện", "Điện Elysee")

# News media, cited bare (gold convention: "báo", "đài" stay outside the span).
MEDIA = ("Newsweek", "CNN", "BBC", "Reuters", "AFP", "AP", "Bloomberg", "New York Times", "Washington Post",
         "Guardian", "Al Jazeera", "TASS", "RIA Novosti", "Sputnik", "Tân Hoa Xã", "Yonhap", "Kyodo", "NHK",
         "Dân trí", "Dân Trí", "VnExpress", "Tuổi Trẻ", "Thanh Niên", "VietNamNet", "Zing", "Lao Động",
         "Tiền Phong", "Nhân Dân", "VTV", "VOV", "TTXVN", "Người Lao Động", "Infonet", "Kenh14", "Soha",
         "Fox News", "CBS", "NBC", "ABC News", "Financial Times", "Wall Street Journal", "Politico", "Axios")

# Lower-case heads that belong to a place name (gold convention: "thành phố Dnipro", "hồ Núi Cốc").
PLACE_HEADS = ("thành phố", "tp.", "tp", "tỉnh", "huyện", "quận", "xã", "phường", "thị trấn", "thị xã",
               "hồ", "sông", "núi", "đảo", "bán đảo", "khu phố", "thôn", "xóm", "ấp", "bản", "làng", "đèo",
               "vịnh", "quần đảo", "cảng", "sân bay", "phố", "đường", "kênh", "châu", "phương", "miền")

MISC_CUES = ("tên lửa", "hệ thống", "vũ khí", "máy bay", "tiêm kích", "xe tăng", "tàu sân bay", "chiến dịch",
             "tàu ngầm", "trực thăng", "pháo")

FAMILY_NAMES = frozenset("""Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đoàn
Lâm Mai Trương Tạ Lưu Hà Cao Chu Tô Lương Quách Triệu Từ Kiều Vương Châu Phùng Nghiêm Đào Âu Lại Khổng Thân
Tăng Mạc Hứa Giang Văn Doãn La Lò Lục Nông Kim Vi Quan Khúc Tôn Thạch Diệp Ông Mã Đàm Bạch Trịnh Cù Đồng
Huỳnh Thái Tống Lữ Lã Ninh Phí Bế Hầu Yên Hoàng Khương Kha Đoàn Sầm Cấn Chế Viên""".split())  # noqa: SIM905

# Titles, honorifics and kinship terms that stand before names but are not part of them (VLSP-2016).
TITLES = (
    "ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "ngài", "thầy", "cậu", "mợ", "dì",
    "tổng thống", "phó tổng thống", "thủ tướng", "phó thủ tướng", "chủ tịch", "phó chủ tịch",
    "bộ trưởng", "thứ trưởng", "tổng bí thư", "bí thư", "phó bí thư", "giám đốc", "phó giám đốc",
    "tổng giám đốc", "chủ nhiệm", "viện trưởng", "hiệu trưởng", "trưởng phòng", "trưởng ban",
    "đại sứ", "ngoại trưởng", "thống đốc", "thị trưởng", "nghị sĩ", "thượng nghị sĩ", "hạ nghị sĩ",
    "đại tướng", "thượng tướng", "trung tướng", "thiếu tướng", "đại tá", "thượng tá", "trung tá",
    "thiếu tá", "đại úy", "thượng úy", "trung úy", "thiếu úy", "giáo sư", "phó giáo sư", "tiến sĩ",
    "thạc sĩ", "bác sĩ", "luật sư", "nhà báo", "nhà văn", "nhạc sĩ", "ca sĩ", "diễn viên", "nghệ sĩ",
    "hoàng tử", "công chúa", "vua", "nữ hoàng", "giáo hoàng", "tổng thư ký", "người phát ngôn",
    "phát ngôn viên", "huấn luyện viên", "hlv", "tiền đạo", "tiền vệ", "hậu vệ", "thủ môn", "cầu thủ",
    "đồng chí", "gs", "pgs", "ts", "ths", "bs", "ls", "nsưt", "nsnd", "gs.ts", "pgs.ts", "tân",
    "cựu", "đương kim", "nhà lãnh đạo", "lãnh đạo", "tổng tư lệnh", "tư lệnh", "chánh án", "kiểm sát viên",
    "điều tra viên", "trung sĩ", "thượng sĩ", "hạ sĩ", "binh nhì", "linh mục", "hòa thượng", "thượng tọa",
    "đức", "thánh", "tướng", "đại biểu", "đb", "chủ trang trại", "thủ lĩnh", "quốc vương",
)

# Speech verbs. Those marked weak introduce speech only with "rằng" or a colon (they have other senses).
SPEECH_VERBS = (
    "cho biết thêm", "cho biết", "khẳng định", "nhấn mạnh", "tuyên bố", "thông báo", "cho rằng",
    "nhận định", "tiết lộ", "lưu ý", "nhắc đến", "nhắc lại", "đề xuất", "cảnh báo", "thừa nhận",
    "xác nhận", "giải thích", "bày tỏ", "trả lời", "phát biểu", "chia sẻ", "nói thêm", "nói", "kể",
    "viết", "hỏi", "đáp", "nêu rõ", "nhận xét", "đánh giá", "dẫn lời", "cam kết", "yêu cầu", "kêu gọi",
    "bình luận", "thông tin", "trao đổi", "phân tích", "tâm sự", "khuyến cáo", "cho hay", "đề nghị",
    "trả lời phỏng vấn",
)

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
