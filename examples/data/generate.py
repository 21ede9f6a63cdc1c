#!/usr/bin/env python3
"""Writes the example network's synthetic sample data (deterministic):

- access.log.gz: September and October 2026 of made-up, growing traffic to the three example sites, in
  Apache's vhost_combined format (the host comes first, so no --site is needed):
  page views with search and social referrers, assets, crawlers (Googlebot,
  Bingbot, GPTBot, ClaudeBot, others), clicks on /go/ links from article pages,
  404s, feed reads and redirects.
- amazon-earnings.csv: an Amazon Associates earnings report for the same months,
  as Associates Central exports it, for the sites' tracking IDs.

Nothing here is real traffic or real earnings. Run from the repository root:
    python3 examples/data/generate.py
"""
import gzip
import random

random.seed(2026)

SITES = {
    "cremacorner.example.com": {
        "tag": "cremacorner-20",
        "pages": ["/", "/guides/", "/guides/choosing-a-grinder/", "/guides/dialing-in-espresso/",
                  "/reviews/", "/reviews/milk-pitchers-compared/", "/about/"],
        "articles": ["/guides/choosing-a-grinder/", "/guides/dialing-in-espresso/",
                     "/reviews/milk-pitchers-compared/"],
        "products": {"baratza-encore-esp": ("B0BH3WMZ8X", "Baratza Encore ESP", 199.0),
                     "df64-single-dose": ("B0CJBW4B9Q", "DF64 single-dose grinder", 399.0)},
        "weight": 5,
    },
    "trailheadgear.example.com": {
        "tag": "trailhead-20",
        "pages": ["/", "/guides/", "/guides/choosing-trail-running-shoes/", "/guides/first-trail-race/",
                  "/reviews/", "/reviews/road-to-trail-shoes-compared/", "/about/"],
        "articles": ["/guides/choosing-trail-running-shoes/", "/guides/first-trail-race/",
                     "/reviews/road-to-trail-shoes-compared/"],
        "products": {"salomon-speedcross-6": ("B0B2R8D6ZL", "Salomon Speedcross 6", 140.0),
                     "hoka-speedgoat-5": ("B0B4NXJ6RT", "HOKA Speedgoat 5", 155.0)},
        "weight": 3,
    },
    "firsttank.example.com": {
        "tag": "firsttank-20",
        "pages": ["/", "/guides/", "/guides/choosing-first-fish/", "/guides/cycling-a-new-tank/",
                  "/guides/water-changes/", "/reviews/", "/reviews/hang-on-back-filters/"],
        "articles": ["/guides/choosing-first-fish/", "/guides/cycling-a-new-tank/",
                     "/reviews/hang-on-back-filters/"],
        "products": {"aquaclear-30": ("B0002563MW", "AquaClear 30 power filter", 38.0),
                     "api-freshwater-master-test-kit": ("B000255NCI", "API Freshwater Master Test Kit", 35.0)},
        "weight": 2,
    },
}
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
]
BOTS = [
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 6),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", 3),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", 2),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", 1),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 2),
]
REFERRERS = ["-", "-", "https://www.google.com/", "https://www.google.com/", "https://www.google.co.uk/",
             "https://www.bing.com/", "https://duckduckgo.com/", "https://www.reddit.com/r/espresso/"]


DAYS = [("Sep", d) for d in range(1, 31)] + [("Oct", d) for d in range(1, 32)]


def line(host, ip, day, second, request, status, referrer, agent):
    month, date = DAYS[day]
    time = f"{date:02d}/{month}/2026:{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d} +0000"
    size = random.randint(300, 30000)
    return f'{host}:443 {ip} - - [{time}] "{request} HTTP/1.1" {status} {size} "{referrer}" "{agent}"\n'


def access_log():
    lines = []
    for day in range(len(DAYS)):
        events = []
        for host, site in SITES.items():
            visitors = int(site["weight"] * (4 + day / 4) * random.uniform(0.8, 1.2))
            for _ in range(visitors):
                ip = f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"
                agent = random.choice(BROWSERS)
                second = random.randint(0, 86000)
                page = random.choice(site["articles"] + site["pages"])
                referrer = random.choice(REFERRERS)
                events.append((second, line(host, ip, day, second, f"GET {page}", 200, referrer, agent)))
                events.append((second + 1, line(host, ip, day, second + 1, "GET /style.css", 200, f"https://{host}{page}", agent)))
                if random.random() < 0.4:
                    nxt = random.choice(site["articles"])
                    events.append((second + 30, line(host, ip, day, second + 30, f"GET {nxt}", 200, f"https://{host}{page}", agent)))
                    page = nxt
                if page in site["articles"] and random.random() < 0.12:
                    slug = random.choice(list(site["products"]))
                    events.append((second + 60, line(host, ip, day, second + 60, f"GET /go/{slug}/", 302, f"https://{host}{page}", agent)))
            for agent, per_day in BOTS:
                for _ in range(per_day):
                    second = random.randint(0, 86000)
                    page = random.choice(site["pages"] + ["/sitemap.xml", "/robots.txt"])
                    events.append((second, line(host, f"66.249.{random.randint(64, 79)}.{random.randint(1, 254)}", day, second, f"GET {page}", 200, "-", agent)))
            for _ in range(2):
                second = random.randint(0, 86000)
                missing = random.choice(["/old-guide/", "/wp-login.php", "/guides/grinder-guide/"])
                events.append((second, line(host, f"203.0.113.{random.randint(1, 254)}", day, second, f"GET {missing}", 404, "-", random.choice(BROWSERS))))
            second = random.randint(0, 86000)
            events.append((second, line(host, "192.0.2.10", day, second, "GET /rss.xml", 200, "-", "Feedly/1.0 (+http://www.feedly.com/fetcher.html)")))
        events.sort(key=lambda e: e[0])
        lines.extend(text for _, text in events)
    return "".join(lines)


def earnings():
    rows = ["Fee-Earnings reports from 09-01-2026 to 10-31-2026",
            "Category,Name,ASIN,Seller,Tracking ID,Date Shipped,Price($),Items Shipped,Returns,Revenue($),Ad Fees($),Device Type Group"]
    for site in SITES.values():
        for slug, (asin, name, price) in site["products"].items():
            for _ in range(site["weight"] * 4):
                month, day = random.choice(DAYS)
                month = "09" if month == "Sep" else "10"
                returned = random.random() < 0.1
                shipped, returns = (0, 1) if returned else (1, 0)
                revenue = -price if returned else price
                fee = round(revenue * 0.03, 2)
                rows.append(f'Home,"{name}",{asin},Amazon.com,{site["tag"]},2026-{month}-{day:02d} 10:00:00,"${price:,.2f}",{shipped},{returns},"{"-" if revenue < 0 else ""}${abs(revenue):,.2f}","{"-" if fee < 0 else ""}${abs(fee):,.2f}",DESKTOP')
    return "\n".join(rows) + "\n"


with gzip.GzipFile("examples/data/access.log.gz", "wb", mtime=0) as out:
    out.write(access_log().encode())
with open("examples/data/amazon-earnings.csv", "w") as out:
    out.write(earnings())
