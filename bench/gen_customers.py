#!/usr/bin/env python
"""Load a realistic customer registry into the database named by DATABASE_URL (benchmark data).

Needs the organisation from gen_org.py first (it also runs the migrations):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/gen_org.py --reset
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/gen_customers.py --reset [--customers 1000000]

Customers are spread over the non-HQ branches (skewed: some branches are much bigger):
≈85 % individuals, ≈10 % companies, ≈5 % sole traders, with Polish names (Zipf-like
surnames with feminine forms), valid and unique PESEL / NIP, valid REGON and IBAN, Polish
mobile numbers (E.164), e-mails, real street names and cities with matching postal codes,
segmentation for part of the rows and registrations spread over the last five years.
Every customer has the data-processing consent ("contract"); many also gave marketing
consents, some withdrawn later (a second event); the current-state rows point at the last
event. ≈--timeline-per-customer timeline entries each; ≈10 % have an extra phone/e-mail.

Derived columns (display_name, sort_key, search_text) and the search lexicon follow
services.refresh_derived / search.customer_lexicon; every 250th customer is checked
against those functions while loading, and a sample is re-checked from the database at
the end. Audit-log rows are not written.

How it loads: worker processes (--workers) generate chunks of customers (with all their
rows) and send them with COPY. Customer ids follow the chunk; consent-event ids come in
blocks from a shared counter (Consent.last_event and the timeline need them); the other
tables number their own rows. PESEL, NIP, REGON, phones and e-mails are unique across
chunks because each chunk draws from its own partition of the number space. Secondary
indexes, unique and foreign keys of the loaded tables are dropped first and re-created
afterwards (two connections in parallel, keys added NOT VALID then validated), then
ANALYZE. If the run fails, they are re-created on the way out.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import math
import multiprocessing as mp
import os
import random
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.fields import NOT_PROVIDED  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from django.utils.translation import gettext  # noqa: E402
from gen_org import CITIES, db_guard  # noqa: E402

from punkt.core.dbguards import truncate_for_maintenance  # noqa: E402
from punkt.customers import search  # noqa: E402
from punkt.customers.models import (  # noqa: E402
    Consent,
    ConsentEvent,
    ConsentPurpose,
    ConsentText,
    Customer,
    CustomerContact,
    CustomerWord,
    SearchWord,
    TimelineEntry,
    age_band_for,
)
from punkt.customers.normalize import digits, fold  # noqa: E402
from punkt.customers.services import refresh_derived  # noqa: E402
from punkt.organization.models import Branch, BranchKind, Membership  # noqa: E402

NULL = "\\N"
CHECK_EVERY = 250  # compare every Nth generated customer with refresh_derived()

# --- Names ---------------------------------------------------------------------------------
# Most common first, roughly by frequency.
MALE = [
    "Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Stanisław",
    "Jakub", "Adam", "Marek", "Łukasz", "Grzegorz", "Mateusz", "Wojciech", "Mariusz", "Dariusz",
    "Zbigniew", "Jerzy", "Maciej", "Rafał", "Robert", "Kamil", "Józef", "Szymon", "Ryszard",
    "Kacper", "Dawid", "Janusz", "Tadeusz", "Bartosz", "Sebastian", "Przemysław", "Daniel",
    "Filip", "Jacek", "Artur", "Henryk", "Mirosław", "Damian", "Patryk", "Roman", "Sławomir",
    "Jarosław", "Kazimierz", "Zdzisław", "Antoni", "Władysław", "Leszek", "Hubert", "Dominik",
    "Wiesław", "Igor", "Radosław", "Karol", "Adrian", "Waldemar", "Mikołaj", "Bogdan", "Oskar",
    "Franciszek", "Arkadiusz", "Zenon", "Edward", "Czesław", "Norbert", "Konrad", "Emil",
    "Wiktor", "Aleksander", "Leon", "Julian", "Tymon", "Ignacy", "Bogusław", "Eugeniusz",
    "Mieczysław", "Lech", "Witold", "Krystian", "Marian", "Ireneusz", "Cezary", "Gabriel",
]
FEMALE = [
    "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna",
    "Elżbieta", "Magdalena", "Joanna", "Zofia", "Aleksandra", "Monika", "Teresa", "Danuta",
    "Natalia", "Karolina", "Marta", "Julia", "Beata", "Dorota", "Halina", "Jadwiga", "Janina",
    "Jolanta", "Iwona", "Grażyna", "Paulina", "Justyna", "Bożena", "Urszula", "Renata", "Agata",
    "Hanna", "Irena", "Sylwia", "Helena", "Patrycja", "Weronika", "Wiesława", "Emilia", "Alicja",
    "Izabela", "Ewelina", "Stanisława", "Oliwia", "Gabriela", "Dominika", "Marianna", "Kinga",
    "Wiktoria", "Lena", "Maja", "Zuzanna", "Amelia", "Kamila", "Klaudia", "Aneta", "Edyta",
    "Lucyna", "Mirosława", "Genowefa", "Henryka", "Wanda", "Bogumiła", "Alina", "Lidia",
    "Ilona", "Milena", "Łucja", "Żaneta", "Roksana", "Bernadeta", "Jagoda",
]
# Masculine forms, most common first; feminine forms are derived (-ski → -ska, …).
SURNAMES_TEXT = """
Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak
Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Nowakowski
Pawłowski Michalski Nowicki Adamczyk Dudek Zając Wieczorek Jabłoński Król Majewski Olszewski
Jaworski Wróbel Malinowski Pawlak Witkowski Walczak Stępień Górski Rutkowski Michalak Sikora
Ostrowski Baran Duda Szewczyk Tomaszewski Pietrzak Marciniak Wróblewski Zalewski Jakubowski
Jasiński Zawadzki Sadowski Bąk Chmielewski Włodarczyk Borkowski Czarnecki Sawicki Sokołowski
Urbański Kubiak Maciejewski Szczepański Kucharski Wilk Kalinowski Lis Mazurek Wysocki Adamski
Kaźmierczak Wasilewski Sobczak Czerwiński Andrzejewski Cieślak Głowacki Zakrzewski Kołodziej
Sikorski Krajewski Gajewski Szymczak Szulc Baranowski Laskowski Brzeziński Makowski Ziółkowski
Przybylski Domański Nowacki Borowski Błaszczyk Chojnacki Ciesielski Mróz Szczepaniak
Wesołowski Górecki Krupa Kaczmarczyk Leszczyński Lipiński Kowalewski Urbaniak Kozak Kania
Mikołajczyk Czajkowski Mucha Tomczak Kozieł Markowski Kowalik Nawrocki Brzozowski Janik Musiał
Wawrzyniak Markiewicz Orłowski Tomczyk Jarosz Kołodziejczyk Kurek Kopeć Żak Wolski Łuczak
Dziedzic Kot Stasiak Stankiewicz Piątek Jóźwiak Urban Dobrowolski Pawlik Kruk Domagała Piasecki
Wierzbicki Karpiński Jastrzębski Polak Zięba Janicki Wójtowicz Stefański Sosnowski Bednarek
Majchrzak Bielecki Małecki Maj Sowa Milewski Gajda Klimek Olejniczak Ratajczak Romanowski
Matuszewski Śliwiński Madej Kasprzak Wilczyński Grzelak Socha Czajka Marek Kowal Bednarczyk
Skiba Wrona Owczarek Marcinkowski Matusiak Orzechowski Sobolewski Kędzierski Kurowski Rogalski
Kaczmarek Lewicki Zawada Górka Nowiński Kaczor Fijałkowski Wojciechowski Stachowiak Szczęsny
Kaczyński Bielski Cichocki Siwiec Wojtczak Gołębiowski Kubicki Chmiel Szczygieł Filipek
Kwiecień Zych Krzemiński Rybak Mazurkiewicz Tkaczyk Świątek Kubacki Lisowski Adamiak Rogowski
Zielonka Ryba Dziuba Jędrzejewski Skowroński Dobrzyński Grzybowski Ptak Jaworek Szczepanik
Frankowski Żukowski Banaś Bartkowiak Misiak Kołodziejski Marczak Bielawski Kasprzyk Kulesza
Szostak Sobieraj Kaleta Zaremba Krzyżanowski Kłos Rakowski Kalisz Koziński Leśniak Przybysz
Pietrzyk Grochowski Wasiak Kurzawa Bogusz Błażejewski Wojtasik Kacprzak Kuc Kuśmierek Bednarz
Gawroński Pawelec Sadowy Lach Kaczmarski Pająk Nowosielski Szafrański Nowik Kubik Ślusarczyk
Jurek Gołąb Łukasik Grzyb Świderski Bieniek Sroka Karczewski Mołdawski Kwiatek Tokarski
Borowiec Wojda Bartczak Ziemba Kowalkowski Sobczyk Rosiński Wojnarowski Sztuka Kaczorowski
Żmuda Popławski Mrozek Wawrzyńczak Przybyła Łapiński Zawisza Gorczyca Szwed Augustyniak
Strzelecki Bogucki Cygan Drozd Dziubek Gutowski Hajduk Kobus Kostrzewa Krzyżak Lenart Matysiak
Ozimek Pluta Rak Sowiński Szydłowski Tokarz Wiatr Żurek
"""
SURNAMES = SURNAMES_TEXT.split()
# Rarer surnames are made from these roots and endings (thousands of distinct ones).
ROOTS_TEXT = """
Barcz Bartosz Biał Bogusz Borz Brzez Buk Bylin Chab Chodak Chrzan Ciech Czap Czech Dąbk
Dobrz Dorosz Drab Dzik Gaj Glin Głog Gołęb Grab Grodz Gruszk Grzyb Jagodz Jarząb Jastrz
Jeleń Jodł Kalin Kamień Karp Kasprz Klon Kmieć Kobył Kos Kotl Krak Kruk Krzem Kul Kur Lasz
Lip Łąk Łoś Mak Malin Miedz Mił Modrz Mroz Niedź Olch Orl Osik Pias Pietr Pol Potoc
Przyb Rak Rogal Ros Rud Ryb Sad Sarn Siek Sik Skow Słow Sob Sosn Stach Strzel Szar Szczyg
Szysz Tar Trzcin Wal Wiąz Wiś Wilcz Wol Wrzos Zaj Zar Ziel Żuraw Żyt Bor Brod Cis Dęb Dróżd
Gór Jaw Kłos Lesz Mach Ner Ogon Pasz Pęk Radz Sierp Smol Sław Stok Świer Tur Wach Wit Zdun
Bełch Chwal Dem Fras Gaweł Hryn Jack Klepac Lew Mat Orzeł Pasier Rzep Sęk Szram Urb Wesoł
"""
ROOTS = ROOTS_TEXT.split()
ENDINGS = ["owski", "ewski", "iński", "ecki", "ak", "ek", "czyk", "czak", "owicz", "iewicz",
           "uk", "ik", "ała", "ko", "oń", "as", "ura", "yński"]
# Zipf-like weights: rank r gets 1/(r + OFFSET)^S; rare surnames share a smaller tail.
SURNAME_OFFSET, SURNAME_S, RARE_FACTOR = 30, 0.8, 0.6


def feminine(surname: str) -> str:
    if surname.endswith(("ski", "cki", "dzki", "ński")) or surname.endswith("sny"):
        return surname[:-1] + "a"
    return surname


def build_surnames() -> list[tuple[str, str]]:
    common = list(dict.fromkeys(SURNAMES))
    rare = sorted({root + end for root in ROOTS for end in ENDINGS
                   if not (root.endswith(("sz", "cz", "rz", "ż")) and end[0] == "i")
                   and not (root[-1] in "ćńśź" and end[0] in "aeiouy")} - set(common))
    random.Random(20260101).shuffle(rare)
    return [(s, feminine(s)) for s in common + rare]


ALL_SURNAMES = build_surnames()
N_COMMON = len(dict.fromkeys(SURNAMES))


def cum(weights: list[float]) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


SURNAME_CUM = cum([(1.0 if r < N_COMMON else RARE_FACTOR)
                   / (r + 1 + SURNAME_OFFSET) ** SURNAME_S for r in range(len(ALL_SURNAMES))])
MALE_CUM = cum([1 / (r + 3) ** 1.1 for r in range(len(MALE))])
FEMALE_CUM = cum([1 / (r + 3) ** 1.1 for r in range(len(FEMALE))])

# --- Places --------------------------------------------------------------------------------
COMMON_STREETS = [
    "ul. Mickiewicza", "ul. Słowackiego", "ul. Kościuszki", "ul. Sienkiewicza", "ul. Kopernika",
    "ul. Żeromskiego", "ul. Reymonta", "ul. Konopnickiej", "ul. Prusa", "ul. Chopina",
    "ul. Moniuszki", "ul. Kilińskiego", "ul. Traugutta", "ul. Narutowicza", "ul. Piłsudskiego",
    "ul. Batorego", "ul. Jagiellońska", "ul. Kasprowicza", "ul. Orzeszkowej", "ul. Staszica",
    "ul. Wyspiańskiego", "ul. Matejki", "ul. Kochanowskiego", "ul. Norwida", "ul. Fredry",
    "ul. Tuwima", "ul. Okrzei", "ul. Dąbrowskiego", "ul. Pułaskiego", "ul. Sobieskiego",
    "ul. Kazimierza Wielkiego", "ul. Bolesława Chrobrego", "ul. Mieszka I", "ul. Polna",
    "ul. Leśna", "ul. Ogrodowa", "ul. Lipowa", "ul. Szkolna", "ul. Kolejowa", "ul. Dworcowa",
    "ul. Kwiatowa", "ul. Słoneczna", "ul. Krótka", "ul. Długa", "ul. Zielona", "ul. Brzozowa",
    "ul. Parkowa", "ul. Łąkowa", "ul. Spacerowa", "ul. Sportowa", "ul. Wiejska", "ul. Akacjowa",
    "ul. Klonowa", "ul. Jesionowa", "ul. Wiśniowa", "ul. Sosnowa", "ul. Dębowa",
    "ul. Jaśminowa", "ul. Różana", "ul. Konwaliowa", "ul. Słowicza", "ul. Spokojna",
    "ul. Cicha", "ul. Wąska", "ul. Nowa", "ul. Kościelna", "ul. Młyńska", "ul. Przemysłowa",
    "ul. Fabryczna", "ul. Handlowa", "ul. Rzemieślnicza", "ul. Graniczna",
    "ul. Wojska Polskiego", "ul. Armii Krajowej", "ul. 3 Maja", "ul. 11 Listopada",
    "ul. 1 Maja", "ul. Legionów", "ul. Powstańców Wielkopolskich", "ul. Powstańców Śląskich",
    "ul. Żwirki i Wigury", "al. Jana Pawła II", "al. Niepodległości", "al. Solidarności",
    "al. Wojska Polskiego", "al. Zwycięstwa", "ul. Warszawska", "ul. Krakowska",
    "ul. Poznańska", "ul. Gdańska", "ul. Toruńska", "ul. Lubelska", "ul. Wrocławska",
    "ul. Łódzka", "os. Tysiąclecia", "os. Słoneczne", "os. Przyjaźni", "pl. Wolności",
    "pl. Kościuszki", "ul. Partyzantów", "ul. Harcerska", "ul. Kombatantów",
    "ul. ks. Jerzego Popiełuszki", "ul. Kardynała Wyszyńskiego",
    "ul. Marii Skłodowskiej-Curie", "ul. gen. Władysława Andersa", "ul. Piastowska",
    "ul. Wita Stwosza", "ul. Obrońców Westerplatte", "ul. Bohaterów Monte Cassino",
    "ul. Kasztanowa", "ul. Ogrodnicza", "ul. Strażacka", "ul. Zamkowa", "ul. Mostowa",
    "ul. Górna", "ul. Kręta", "ul. Miodowa", "ul. Jaworowa", "ul. Modrzewiowa",
]
CITY_STREETS = {
    "Warszawa": ["ul. Marszałkowska", "al. Jerozolimskie", "ul. Puławska", "ul. Grójecka",
                 "ul. Nowy Świat", "ul. Krakowskie Przedmieście", "ul. Targowa",
                 "ul. Grochowska", "ul. Górczewska", "ul. Wołoska", "ul. Świętokrzyska",
                 "ul. Chmielna", "al. Krakowska", "ul. Modlińska", "ul. Ostrobramska",
                 "ul. Broniewskiego", "ul. Sokratesa", "ul. Kondratowicza",
                 "al. Komisji Edukacji Narodowej", "ul. Prosta"],
    "Kraków": ["ul. Floriańska", "ul. Grodzka", "ul. Karmelicka", "ul. Dietla",
               "ul. Starowiślna", "ul. Wielicka", "ul. Zakopiańska", "ul. Kalwaryjska",
               "al. 29 Listopada", "ul. Nowohucka", "os. Kombatantów", "ul. Królewska",
               "ul. Lea", "ul. Pawia", "ul. Bora-Komorowskiego"],
    "Łódź": ["ul. Piotrkowska", "ul. Zgierska", "ul. Pomorska", "ul. Rzgowska",
             "al. Politechniki", "ul. Zachodnia", "ul. Wólczańska", "ul. Łagiewnicka",
             "al. Włókniarzy", "ul. Kopcińskiego", "ul. Pabianicka"],
    "Gdańsk": ["al. Grunwaldzka", "ul. Mariacka", "ul. Ogarna", "ul. Piwna", "ul. Kartuska",
               "ul. Chłopska", "ul. Obrońców Wybrzeża", "ul. Jana z Kolna", "ul. Hallera"],
    "Wrocław": ["ul. Świdnicka", "ul. Legnicka", "ul. Grabiszyńska", "ul. Krzywoustego",
                "ul. Kromera", "ul. Hubska", "ul. Ślężna", "ul. Oławska", "pl. Grunwaldzki"],
    "Poznań": ["ul. Święty Marcin", "ul. Głogowska", "ul. Grunwaldzka", "ul. Garbary",
               "ul. Półwiejska", "os. Stefana Batorego", "os. Piastowskie", "ul. Hetmańska",
               "ul. Winogrady"],
    "Szczecin": ["al. Wyzwolenia", "ul. Krzywoustego", "ul. Ku Słońcu", "ul. Monte Cassino",
                 "al. Piastów"],
    "Lublin": ["ul. Krakowskie Przedmieście", "al. Racławickie", "ul. Zana",
               "ul. Nadbystrzycka", "al. Kraśnicka"],
    "Katowice": ["ul. Mariacka", "al. Korfantego", "ul. Chorzowska", "ul. Mikołowska",
                 "ul. Francuska"],
    "Bydgoszcz": ["ul. Fordońska", "ul. Kujawska", "ul. Jagiellońska", "ul. Szubińska"],
    "Białystok": ["ul. Świętego Rocha", "ul. Branickiego", "ul. Składowa", "ul. Mickiewicza"],
    "Gdynia": ["ul. Świętojańska", "ul. Starowiejska", "ul. 10 Lutego", "ul. Morska",
               "ul. Wielkopolska"],
}
# Smaller towns (one main postal code each) where some customers of nearby branches live.
TOWNS = [
    ("Wieliczka", "32-020"), ("Skawina", "32-050"), ("Pruszków", "05-800"),
    ("Piaseczno", "05-500"), ("Legionowo", "05-120"), ("Otwock", "05-400"),
    ("Sopot", "81-701"), ("Pabianice", "95-200"), ("Zgierz", "95-100"),
    ("Swarzędz", "62-020"), ("Luboń", "62-030"), ("Oława", "55-200"), ("Oleśnica", "56-400"),
    ("Police", "72-010"), ("Tczew", "83-110"), ("Wejherowo", "84-200"), ("Rumia", "84-230"),
    ("Pszczyna", "43-200"), ("Mikołów", "43-190"), ("Świdnik", "21-040"),
    ("Łańcut", "37-100"), ("Zakopane", "34-500"), ("Nowy Targ", "34-400"),
    ("Nowy Sącz", "33-300"), ("Myślenice", "32-400"), ("Bochnia", "32-700"),
    ("Oświęcim", "32-600"), ("Chrzanów", "32-500"), ("Jaworzno", "43-600"),
    ("Będzin", "42-500"), ("Zawiercie", "42-400"), ("Piotrków Trybunalski", "97-300"),
    ("Skierniewice", "96-100"), ("Kutno", "99-300"), ("Konin", "62-500"), ("Leszno", "64-100"),
    ("Gniezno", "62-200"), ("Inowrocław", "88-100"), ("Ostrołęka", "07-400"),
    ("Siedlce", "08-110"), ("Łomża", "18-400"), ("Suwałki", "16-400"), ("Ełk", "19-300"),
    ("Przemyśl", "37-700"), ("Krosno", "38-400"), ("Mielec", "39-300"),
    ("Stalowa Wola", "37-450"), ("Zamość", "22-400"), ("Chełm", "22-100"),
    ("Biała Podlaska", "21-500"), ("Puławy", "24-100"), ("Jelenia Góra", "58-500"),
    ("Wałbrzych", "58-300"), ("Świdnica", "58-100"), ("Głogów", "67-200"), ("Lubin", "59-300"),
    ("Nysa", "48-300"), ("Kędzierzyn-Koźle", "47-200"), ("Racibórz", "47-400"),
    ("Jastrzębie-Zdrój", "44-330"), ("Żory", "44-240"), ("Starogard Gdański", "83-200"),
    ("Kwidzyn", "82-500"), ("Malbork", "82-200"), ("Stargard", "73-110"),
    ("Świnoujście", "72-600"), ("Kołobrzeg", "78-100"), ("Szczecinek", "78-400"),
    ("Piła", "64-920"), ("Ostrów Wielkopolski", "63-400"), ("Zduńska Wola", "98-220"),
    ("Sieradz", "98-200"), ("Mińsk Mazowiecki", "05-300"), ("Wołomin", "05-200"),
    ("Grodzisk Mazowiecki", "05-825"), ("Żyrardów", "96-300"), ("Ząbki", "05-091"),
    ("Marki", "05-270"), ("Łomianki", "05-092"), ("Niepołomice", "32-005"),
    ("Zielonki", "32-087"), ("Pruszcz Gdański", "83-000"), ("Reda", "84-240"),
    ("Brzeg", "49-300"), ("Kłodzko", "57-300"), ("Bolesławiec", "59-700"),
    ("Tarnowskie Góry", "42-600"), ("Czechowice-Dziedzice", "43-502"), ("Cieszyn", "43-400"),
    ("Żywiec", "34-300"), ("Wadowice", "34-100"), ("Andrychów", "34-120"),
    ("Dębica", "39-200"), ("Jarosław", "37-500"), ("Sanok", "38-500"), ("Augustów", "16-300"),
    ("Bielsk Podlaski", "17-100"), ("Hajnówka", "17-200"), ("Iława", "14-200"),
    ("Ostróda", "14-100"), ("Giżycko", "11-500"), ("Mrągowo", "11-700"),
    ("Kętrzyn", "11-400"), ("Bartoszyce", "11-200"), ("Chojnice", "89-600"),
    ("Bytów", "77-100"), ("Lębork", "84-300"), ("Kartuzy", "83-300"), ("Kościerzyna", "83-400"),
]
CITY_PREFIXES = {city: prefixes.split("|") for _code, city, prefixes, _w in CITIES}

# --- Businesses ----------------------------------------------------------------------------
# (kind of business, industry, activity = PKD class)
TRADES = [
    ("Piekarnia", "piekarnictwo", "10.71.Z Produkcja pieczywa; produkcja świeżych wyrobów "
     "ciastkarskich i ciastek"),
    ("Cukiernia", "gastronomia", "10.71.Z Produkcja pieczywa; produkcja świeżych wyrobów "
     "ciastkarskich i ciastek"),
    ("Restauracja", "gastronomia", "56.10.A Restauracje i inne stałe placówki gastronomiczne"),
    ("Pizzeria", "gastronomia", "56.10.A Restauracje i inne stałe placówki gastronomiczne"),
    ("Hurtownia Spożywcza", "handel hurtowy",
     "46.39.Z Sprzedaż hurtowa niewyspecjalizowana żywności, napojów i wyrobów tytoniowych"),
    ("Sklep Spożywczy", "handel detaliczny",
     "47.11.Z Sprzedaż detaliczna prowadzona w niewyspecjalizowanych sklepach z przewagą "
     "żywności"),
    ("Apteka", "ochrona zdrowia", "47.73.Z Sprzedaż detaliczna wyrobów farmaceutycznych"),
    ("Biuro Rachunkowe", "usługi finansowe", "69.20.Z Działalność rachunkowo-księgowa"),
    ("Kancelaria Prawna", "usługi prawne", "69.10.Z Działalność prawnicza"),
    ("Gabinet Stomatologiczny", "ochrona zdrowia", "86.23.Z Praktyka lekarska dentystyczna"),
    ("Przychodnia", "ochrona zdrowia", "86.21.Z Praktyka lekarska ogólna"),
    ("Warsztat Samochodowy", "motoryzacja",
     "45.20.Z Konserwacja i naprawa pojazdów samochodowych"),
    ("Auto Serwis", "motoryzacja", "45.20.Z Konserwacja i naprawa pojazdów samochodowych"),
    ("Usługi Transportowe", "transport i logistyka", "49.41.Z Transport drogowy towarów"),
    ("Przedsiębiorstwo Budowlane", "budownictwo",
     "41.20.Z Roboty budowlane związane ze wznoszeniem budynków"),
    ("Usługi Remontowe", "budownictwo",
     "43.39.Z Wykonywanie pozostałych robót budowlanych wykończeniowych"),
    ("Instalacje Elektryczne", "budownictwo", "43.21.Z Wykonywanie instalacji elektrycznych"),
    ("Usługi Hydrauliczne", "budownictwo",
     "43.22.Z Wykonywanie instalacji wodno-kanalizacyjnych, cieplnych i gazowych"),
    ("Salon Fryzjerski", "usługi osobiste",
     "96.02.Z Fryzjerstwo i pozostałe zabiegi kosmetyczne"),
    ("Studio Urody", "usługi osobiste", "96.02.Z Fryzjerstwo i pozostałe zabiegi kosmetyczne"),
    ("Drukarnia", "poligrafia", "18.12.Z Pozostałe drukowanie"),
    ("Studio Programistyczne", "IT",
     "62.01.Z Działalność związana z oprogramowaniem"),
    ("Usługi Informatyczne", "IT",
     "62.02.Z Działalność związana z doradztwem w zakresie informatyki"),
    ("Biuro Podróży", "turystyka", "79.12.Z Działalność organizatorów turystyki"),
    ("Hotel", "turystyka", "55.10.Z Hotele i podobne obiekty zakwaterowania"),
    ("Gospodarstwo Rolne", "rolnictwo",
     "01.11.Z Uprawa zbóż, roślin strączkowych i roślin oleistych na nasiona"),
    ("Szkoła Językowa", "edukacja", "85.59.B Pozostałe pozaszkolne formy edukacji"),
    ("Agencja Nieruchomości", "nieruchomości",
     "68.31.Z Pośrednictwo w obrocie nieruchomościami"),
    ("Stolarnia", "produkcja", "16.23.Z Produkcja pozostałych wyrobów stolarskich i ciesielskich"),
    ("Zakład Ślusarski", "produkcja", "25.62.Z Obróbka mechaniczna elementów metalowych"),
    ("Kwiaciarnia", "handel detaliczny",
     "47.76.Z Sprzedaż detaliczna kwiatów, roślin, nasion, nawozów"),
    ("Agencja Reklamowa", "marketing", "73.11.Z Działalność agencji reklamowych"),
    ("Biuro Projektowe", "usługi inżynierskie",
     "71.11.Z Działalność w zakresie architektury"),
    ("Firma Sprzątająca", "usługi", "81.21.Z Niespecjalistyczne sprzątanie budynków"),
    ("Agencja Ochrony", "usługi", "80.10.Z Działalność ochroniarska"),
    ("Sklep Internetowy", "handel detaliczny",
     "47.91.Z Sprzedaż detaliczna prowadzona przez domy sprzedaży wysyłkowej lub Internet"),
]
BRAND_WORDS = [
    "Złoty Kłos", "Pod Lipą", "Bursztyn", "Wisła", "Tatry", "Mazowsze", "Kasztan", "Orzeł",
    "Sokół", "Jantar", "Promyk", "Słonecznik", "Stokrotka", "Zorza", "Polaris", "Awangarda",
    "Perła", "Diament", "Rubin", "Szafir", "Kormoran", "Żuraw", "Jaskółka", "Skowronek",
    "Jodła", "Kalina", "Malwa", "Wrzos", "Atlas", "Horyzont", "Meridian", "Kompas", "Galaktyka",
    "Mozaika", "Tęcza", "Gwiazda", "Victoria", "Fortuna", "Arkada", "Agat", "Korona",
    "Herkules", "Apollo", "Hermes", "Lider", "Sukces", "Prestiż", "Eden", "Oaza", "Nova",
    "Kameleon", "Smakosz", "Pod Dębem", "Bałtyk", "Karpaty", "Warmia", "Podhale", "Kujawy",
    "Wawel", "Gryf", "Bajka", "Iskra", "Magnolia", "Stalowa Brama", "Zielony Dom", "Amber",
]
STEMS = ["Trans", "Bud", "Pol", "Med", "Agro", "Eko", "Tech", "Inter", "Euro", "Max", "Mega",
         "Omega", "Delta", "Vita", "Lux", "Stal", "Drew", "Elektro", "Hydro", "Auto", "Term",
         "Geo", "Info", "Art", "Bio", "Dom", "Mot", "Plast", "Chem", "Farm", "Kom", "Metal"]
STEM_ENDS = ["pol", "bud", "med", "trans", "tex", "mex", "tech", "net", "-Serwis", "-Projekt",
             "-Invest", "-Trade", "-Logistyka", "-System", "-Market", "plast", "stal", "eko"]
LEGAL = ["sp. z o.o."] * 11 + ["S.A."] + ["sp.j."] * 2 + ["sp.k."] * 2 + ["s.c."] * 2 + [""] * 2
PUBLIC = ["Urząd Gminy", "Gminny Ośrodek Kultury", "Szkoła Podstawowa nr {n}",
          "Przedszkole Publiczne nr {n}", "Miejski Ośrodek Pomocy Społecznej",
          "Samodzielny Publiczny Zakład Opieki Zdrowotnej", "Biblioteka Publiczna",
          "Ochotnicza Straż Pożarna"]
NGO = ["Fundacja {w}", "Stowarzyszenie {w}", "Spółdzielnia Mieszkaniowa {w}",
       "Klub Sportowy {w}", "Parafia Rzymskokatolicka pw. św. {saint}"]
SAINTS = ["Józefa", "Stanisława", "Wojciecha", "Jakuba", "Anny", "Floriana", "Mikołaja",
          "Jadwigi", "Andrzeja Boboli", "Maksymiliana Kolbego"]
EMPLOYERS = [
    "Poczta Polska S.A.", "PKP Intercity S.A.", "Orlen S.A.", "PKO Bank Polski S.A.",
    "Jeronimo Martins Polska S.A.", "Lidl Polska", "Urząd Miasta", "Szpital Wojewódzki",
    "Szkoła Podstawowa nr 3", "Politechnika", "Uniwersytet", "Amazon Fulfillment Poland",
    "LPP S.A.", "Volkswagen Poznań", "Stellantis Gliwice", "Comarch S.A.", "Asseco Poland",
    "Tauron Polska Energia", "PGE S.A.", "Enea S.A.", "KGHM Polska Miedź", "Allegro",
    "Żabka Polska", "Dino Polska", "Castorama Polska", "IKEA", "Policja", "Wojsko Polskie",
    "ZUS", "Urząd Skarbowy", "Miejskie Przedsiębiorstwo Komunikacyjne", "własna działalność",
    "emeryt", "rencista", "student",
]
FREE_MAIL = [("gmail.com", 30), ("wp.pl", 16), ("o2.pl", 12), ("onet.pl", 12),
             ("interia.pl", 10), ("op.pl", 5), ("poczta.onet.pl", 3), ("yahoo.com", 2),
             ("outlook.com", 4), ("tlen.pl", 2), ("icloud.com", 2), ("gazeta.pl", 2)]
MAIL_DOMAINS = [d for d, w in FREE_MAIL for _ in range(w)]
MOBILE_PREFIXES = ["50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"]
# NIP: the first three digits are the tax office.
TAX_OFFICES = [526, 527, 521, 525, 113, 118, 701, 951, 676, 677, 679, 944, 945, 725, 726, 727,
               728, 729, 583, 584, 586, 587, 778, 779, 781, 782, 783, 894, 895, 896, 897, 898,
               899, 851, 852, 955, 554, 953, 712, 946, 542, 966, 634, 954, 813, 663, 657, 739,
               767, 922, 611, 839, 641, 573, 547]
BANKS = ["102", "105", "109", "114", "116", "124", "160", "175", "193", "203", "249", "132"]
NIP_W = (6, 5, 7, 2, 3, 4, 5, 6, 7)
REGON_W = (8, 9, 2, 3, 4, 5, 6, 7)
PESEL_W = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)

# --- Timeline --------------------------------------------------------------------------------
TL_KINDS = [("visit", 30), ("call", 24), ("note", 14), ("email", 12), ("sms", 8),
            ("letter", 5), ("system", 7)]
TL_KIND_CUM = cum([w for _k, w in TL_KINDS])
SUBJECTS = {
    "visit": ["Wizyta w punkcie", "Podpisanie aneksu do umowy", "Zmiana taryfy",
              "Odbiór dokumentów", "Zgłoszenie reklamacji", "Pytanie o fakturę",
              "Zmiana danych kontaktowych", "Przedłużenie umowy", "Odbiór sprzętu",
              "Zwrot sprzętu", "Konsultacja oferty", "Wpłata w kasie"],
    "call": ["Rozmowa telefoniczna", "Pytanie o saldo", "Przypomnienie o płatności",
             "Oferta retencyjna", "Ankieta satysfakcji", "Zgłoszenie awarii",
             "Umówienie wizyty", "Pytanie o status reklamacji", "Oddzwonienie"],
    "email": ["Prośba o duplikat faktury", "Potwierdzenie zmiany taryfy",
              "Oferta na nowy abonament", "Odpowiedź na reklamację",
              "Zapytanie o rozwiązanie umowy", "Prośba o kopię umowy",
              "Zmiana adresu do korespondencji"],
    "letter": ["Wezwanie do zapłaty", "Odpowiedź na reklamację",
               "Potwierdzenie rozwiązania umowy", "Zmiana regulaminu", "Aneks do umowy",
               "Pismo w sprawie nadpłaty"],
    "sms": ["Przypomnienie o terminie płatności", "Potwierdzenie wizyty",
            "Informacja o awarii", "Potwierdzenie przyjęcia zgłoszenia", "Kod weryfikacyjny"],
}
BODIES = [
    "Klient pytał o nową ofertę internetu światłowodowego.", "Prosi o kontakt po 16:00.",
    "Zainteresowany pakietem rodzinnym.", "Reklamował fakturę za październik — wyjaśnione.",
    "Podpisano aneks, kopia wydana klientowi.", "Klient prosi o przesłanie oferty e-mailem.",
    "Wydano nowy router, stary zwrócony.", "Klient zgłosił problem z zasięgiem w domu.",
    "Omówiono warunki przedłużenia umowy na 24 miesiące.",
    "Klient chce zmienić adres korespondencyjny.", "Płatność przyjęta w kasie.",
    "Przekazano do działu technicznego.", "Klient niezadowolony z czasu oczekiwania.",
    "Zaproponowano rabat 10 % na 12 miesięcy — klient się zastanowi.",
    "Sprawa zamknięta, klient zadowolony.", "Brak odpowiedzi, ponowić kontakt za tydzień.",
]
NOTES = [
    "Prosi o kontakt po 16:00.", "Klient preferuje kontakt mailowy.",
    "Nie dzwonić w weekendy.", "Stały klient, zawsze płaci terminowo.",
    "Zainteresowany ofertą dla firm.", "Klient słabo słyszy — mówić wolno i wyraźnie.",
    "Pełnomocnictwo dla córki w aktach.", "Obiecano oddzwonienie w sprawie rabatu.",
    "Klient w trakcie przeprowadzki — potwierdzić nowy adres.",
    "Faktury wysyłać wyłącznie na adres e-mail księgowości.",
    "Klient porównuje ofertę z konkurencją, decyzja do końca miesiąca.",
]
# Field sets of customer_update's "Data changed: …" entries (sorted, as audit.diff lists them),
# for people and for businesses.
CHANGES = {
    "person": [["phone"], ["email"], ["city", "postal_code", "street"], ["last_name"],
               ["bank_account"], ["email", "phone"], ["income_band"],
               ["corr_city", "corr_postal_code", "corr_street"]],
    "business": [["phone"], ["email"], ["city", "postal_code", "street"], ["company_name"],
                 ["bank_account"], ["email", "phone"], ["company_size"],
                 ["corr_city", "corr_postal_code", "corr_street"]],
}
PHONE_LABELS = ["praca", "domowy", "służbowy", "żona", "mąż", "syn", "córka", "prywatny"]
MAIL_LABELS = ["praca", "służbowy", "prywatny", "faktury"]
BIZ_LABELS = ["księgowość", "sekretariat", "faktury", "serwis", "zarząd", "kierownik"]
MARKETING = [("marketing_email", 0.55), ("marketing_sms", 0.45), ("marketing_phone", 0.25),
             ("profiling", 0.20)]
FIRST_SOURCES = ["counter"] * 55 + ["paper"] * 15 + ["web"] * 10 + ["contract"] * 10 + \
                ["import"] * 7 + ["phone"] * 3
LATER_SOURCES = ["counter"] * 5 + ["phone"] * 3 + ["web"] * 2

# Set in the parent before the workers are forked.
PLAN: dict[str, Any] = {}
FOLD: dict[str, str] = {}
# Per worker process: its connection, and the lexicon sources and words it has seen.
_conn: Any = None
_components: set[str] = set()
_known_words: set[str] = set()
_component_words: dict[str, frozenset[str]] = {}


def cfold(text: str) -> str:
    """normalize.fold, memoised (names, streets and cities repeat a lot)."""
    v = FOLD.get(text)
    if v is None:
        v = FOLD[text] = fold(text)
    return v


def email_part(text: str) -> str:
    return cfold(text).replace(" ", "")


def conninfo() -> dict[str, Any]:
    db = settings.DATABASES["default"]
    info = {"dbname": db["NAME"], "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None, "host": db.get("HOST") or None,
            "port": str(db["PORT"]) if db.get("PORT") else None}
    return {k: v for k, v in info.items() if v}


def copy_text(value: Any) -> str:
    """A Python value as COPY text (the generator's own strings need no escaping)."""
    if value is None:
        return NULL
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "obj"):  # psycopg's Jsonb wrapper (JSONField)
        value = value.obj
    if isinstance(value, dict | list):
        import json

        text = json.dumps(value)
    else:
        text = str(value)
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


class Layout:
    """Maps the generator's columns onto the model's current columns: a column the model
    lost is left out, one it gained gets its default (so a new field does not break us)."""

    def __init__(self, model: type, columns: list[str]) -> None:
        fields = {f.column: f for f in model._meta.concrete_fields}
        self.table = model._meta.db_table
        keep = [i for i, c in enumerate(columns) if c in fields]
        # Not listed: the id when the database numbers the rows, and db_default columns.
        extra = [f for c, f in fields.items() if c not in columns and not f.primary_key
                 and getattr(f, "db_default", NOT_PROVIDED) is NOT_PROVIDED]
        self.columns = [columns[i] for i in keep] + [f.column for f in extra]
        self.suffix = "".join("\t" + copy_text(f.get_db_prep_save(f.get_default(), connection))
                              for f in extra)
        self.pick = None if len(keep) == len(columns) else itemgetter(*keep)
        self.sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        if extra:
            print(f"  note: {self.table} has columns the generator does not know; using "
                  f"defaults for {', '.join(f.column for f in extra)}", flush=True)

    def line(self, row: tuple[str, ...]) -> str:
        if self.pick is not None:
            row = self.pick(row)
        return "\t".join(row) + self.suffix + "\n"


CUSTOMER_COLS = [
    "id", "created_at", "updated_at", "kind", "status", "first_name", "last_name",
    "company_name", "consumer_like", "pesel", "birth_date", "nip", "regon", "bank_account",
    "phone", "email", "street", "postal_code", "city", "country", "corr_street",
    "corr_postal_code", "corr_city", "corr_country", "industry", "activity", "has_branches",
    "company_size", "main_customer_type", "founding_year", "age_band", "education",
    "income_band", "vehicle", "employer", "display_name", "sort_key", "search_text",
    "anonymised_at", "branch_id", "created_by_id", "merged_into_id"]
CONTACT_COLS = ["kind", "value", "label", "created_at", "customer_id"]
EVENT_COLS = ["id", "purpose", "granted", "at", "source", "branch_id", "employee_id",
              "text_id", "customer_id"]
CONSENT_COLS = ["purpose", "granted", "changed_at", "last_event_id", "customer_id"]
TIMELINE_COLS = ["kind", "occurred_at", "direction", "subject", "body", "source_type",
                 "source_id", "created_at", "actor_id", "branch_id", "customer_id"]
WORD_COLS = ["customer_id", "word", "branch_id", "sort_key"]
LOADED = [Customer, CustomerContact, ConsentEvent, Consent, TimelineEntry, CustomerWord]


def ts(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat()


# --- Generation (runs in the workers) ------------------------------------------------------

def worker_init() -> None:
    global _conn
    _conn = psycopg.connect(**PLAN["conninfo"], autocommit=True)  # transaction() commits
    _conn.execute("SET synchronous_commit = off")


def pick(rng: random.Random, cum_weights: list[float]) -> int:
    return bisect.bisect(cum_weights, rng.random() * cum_weights[-1])


class Chunk:
    """Everything one chunk of customers needs: its RNG, uniqueness sets and counters."""

    def __init__(self, c: int) -> None:
        p = PLAN
        self.rng = random.Random(f"{p['seed']}/{c}")
        k = p["partitions"]
        self.part, self.parts = c % k, k
        self.serials = [z for z in range(1000) if z % k == self.part]
        self.seen: set[str] = set()

    def unique_phone(self) -> str:
        rng = self.rng
        while True:
            rest = rng.randrange(10_000_000 // self.parts) * self.parts + self.part
            phone = f"+48{rng.choice(MOBILE_PREFIXES)}{rest:07d}"
            if phone not in self.seen:
                self.seen.add(phone)
                return phone

    def pesel(self, birth: datetime.date, female: bool) -> str:
        rng = self.rng
        month = birth.month + (20 if birth.year >= 2000 else 0)
        head = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}"
        sex = "02468" if female else "13579"
        while True:
            base = f"{head}{rng.choice(self.serials):03d}{rng.choice(sex)}"
            check = (10 - sum(w * int(d) for w, d in zip(PESEL_W, base, strict=True))) % 10
            pesel = f"{base}{check}"
            if pesel not in self.seen:
                self.seen.add(pesel)
                return pesel

    def nip(self) -> str:
        rng = self.rng
        while True:
            mid = rng.randrange(1_000_000 // self.parts) * self.parts + self.part
            base = f"{rng.choice(TAX_OFFICES)}{mid:06d}"
            check = sum(w * int(d) for w, d in zip(NIP_W, base, strict=True)) % 11
            if check == 10:
                continue
            nip = f"{base}{check}"
            if nip not in self.seen:
                self.seen.add(nip)
                return nip

    def regon(self) -> str:
        rng = self.rng
        while True:
            mid = rng.randrange(1_000_000 // self.parts) * self.parts + self.part
            base = f"{rng.randrange(1, 98, 2):02d}{mid:06d}"
            check = sum(w * int(d) for w, d in zip(REGON_W, base, strict=True)) % 11 % 10
            regon = f"{base}{check}"
            if regon not in self.seen:
                self.seen.add(regon)
                return regon

    def iban(self) -> str:
        rng = self.rng
        bank = f"{rng.choice(BANKS)}{rng.randrange(10000):04d}"
        check = (10 - sum(w * int(d) for w, d in zip((3, 9, 7, 1, 3, 9, 7), bank,
                                                     strict=True))) % 10
        bban = f"{bank}{check}{rng.randrange(10 ** 16):016d}"
        return f"PL{98 - int(bban + '252100') % 97:02d}{bban}"

    def address(self, branch: dict[str, Any]) -> tuple[str, str, str, str]:
        """(street name, number, postal code, city): mostly in the branch's city."""
        rng = self.rng
        r = rng.random()
        if r < 0.84:
            city, prefixes = branch["city"], branch["prefixes"]
        elif r < 0.96:
            city, code = rng.choice(TOWNS)
            prefixes = None
        else:
            _c, city, pre, _w = rng.choice(CITIES)
            prefixes = pre.split("|")
        if prefixes is not None:
            code = f"{rng.choice(prefixes)}-{rng.randint(1, 999):03d}"
        own = CITY_STREETS.get(city)
        street = rng.choice(own) if own and rng.random() < 0.35 else rng.choice(COMMON_STREETS)
        number = str(min(260, int(rng.expovariate(1 / 28)) + 1))
        if rng.random() < 0.06:
            number += rng.choice("abcdABC")
        if street.startswith("os. ") or rng.random() < 0.55:
            number += f"/{rng.randint(1, 90)}"
        return street, number, code, city

    def company_name(self, surname: str) -> tuple[str, int]:
        """A company name and the index of its trade in TRADES (-1: public body or NGO)."""
        rng = self.rng
        r = rng.random()
        if r < 0.04:
            name = rng.choice(PUBLIC).format(n=rng.randint(1, 60))
            return f"{name} w {rng.choice(TOWNS)[0]}" if rng.random() < 0.5 else name, -1
        if r < 0.08:
            return rng.choice(NGO).format(w=rng.choice(BRAND_WORDS),
                                          saint=rng.choice(SAINTS)), -1
        t = rng.randrange(len(TRADES))
        trade = TRADES[t][0]
        legal = rng.choice(LEGAL)
        r = rng.random()
        if r < 0.35:
            name = f"{trade} {rng.choice(BRAND_WORDS)}"
        elif r < 0.50:
            name = f"{trade} „{rng.choice(BRAND_WORDS)}”"
        elif r < 0.75:
            name = rng.choice(STEMS) + rng.choice(STEM_ENDS)
            if rng.random() < 0.3:
                name += f" {rng.choice(BRAND_WORDS)}"
            elif rng.random() < 0.25:
                name += f" {rng.randint(2, 99)}"
        elif r < 0.90:
            name = f"{surname} i {rng.choice(['Wspólnicy', 'Synowie', 'Partnerzy'])}"
        else:
            name = f"{trade} {surname}"
        return f"{name} {legal}".rstrip(), t

    def person_name(self, female: bool) -> tuple[str, str]:
        rng = self.rng
        first = FEMALE[pick(rng, FEMALE_CUM)] if female else MALE[pick(rng, MALE_CUM)]
        pair = ALL_SURNAMES[pick(rng, SURNAME_CUM)]
        last = pair[1] if female else pair[0]
        if female and rng.random() < 0.03:
            last += "-" + ALL_SURNAMES[pick(rng, SURNAME_CUM)][1]
        return first, last

    def birth_date(self, min_age: int = 0) -> datetime.date:
        years, cum_w = PLAN["birth_years"], PLAN["birth_cum"]
        while True:
            y = years[pick(self.rng, cum_w)]
            if PLAN["today"].year - y >= min_age:
                break
        jan1 = datetime.date(y, 1, 1)
        last = datetime.date(y, 12, 31) if y < PLAN["today"].year else PLAN["today"]
        return jan1 + datetime.timedelta(days=self.rng.randrange((last - jan1).days + 1))

    def _number(self) -> int:
        """A number only this chunk's partition uses (so addresses made with it are unique)."""
        return self.rng.randrange(max(1, 10_000 // self.parts)) * self.parts + self.part

    def _unique_address(self, plain: str, numbered: str) -> str:
        """``plain`` if this chunk owns it (by CRC32) and has not used it, otherwise
        ``numbered`` (a template with {n}) filled with one of this chunk's numbers."""
        email = plain
        if not plain or plain in self.seen or zlib.crc32(plain.encode()) % self.parts != self.part:
            email = numbered.format(n=self._number())
            while email in self.seen:
                email = numbered.format(n=self._number())
        self.seen.add(email)
        return email

    def person_email(self, first: str, last: str) -> str:
        rng = self.rng
        f, la = email_part(first), email_part(last)
        domain = rng.choice(MAIL_DOMAINS)
        r = rng.random()
        if r < 0.35:
            local = f"{f}.{la}"
        elif r < 0.45:
            local = f"{f[0]}{la}"
        elif r < 0.55:
            local = f"{la}.{f}"
        else:  # the rest always carry a number
            local = rng.choice([f"{f}.{la}"] * 3 + [f"{f}", f"{la}", f"{f}_{la}"])
            return self._unique_address("", f"{local}{{n}}@{domain}")
        return self._unique_address(f"{local}@{domain}", f"{local}{{n}}@{domain}")

    def business_email(self, name: str) -> str:
        rng = self.rng
        words = [w for w in cfold(name).replace(".", " ").split() if len(w) > 2][:2] or ["firma"]
        slug = "-".join(words)
        local = rng.choice(["biuro", "kontakt", "info", "sekretariat", "faktury"])
        tld = rng.choice([".pl", ".pl", ".com.pl", ".eu"])
        return self._unique_address(f"{local}@{slug}{tld}", f"{local}@{slug}{{n}}{tld}")


def gen_chunk(c: int) -> tuple[int, dict[str, int], set[str], float]:
    """Generate customers [c * chunk, (c + 1) * chunk) with all their rows and COPY them."""
    t0 = time.perf_counter()
    p = PLAN
    ch = Chunk(c)
    rng = ch.rng
    start = c * p["chunk"]
    n = min(p["chunk"], p["customers"] - start)
    first_id = p["first_id"] + start
    branches, days, now = p["branches"], p["days"], p["now"]
    n_days, today = len(days), p["today"]
    texts, tl_avg = p["texts"], p["timeline"]
    registered, given, withdrawn = p["registered"], p["given"], p["withdrawn"]
    changed = p["changed"]
    lay = p["layouts"]
    words: set[str] = set()  # new lexicon words of this chunk

    def words_of(*values: str) -> set[str]:
        """The customer's CustomerWord rows (search.customer_lexicon of the parts)."""
        out: set[str] = set()
        for v in values:
            if v:
                if v not in _component_words:
                    _component_words[v] = frozenset(search.lexicon_words([v]))
                out |= _component_words[v]
        return out

    def learn(*values: str) -> None:
        """Lexicon words of name/address parts (words never span two parts)."""
        for v in values:
            if v and v not in _components:
                _components.add(v)
                found = search.lexicon_words([v]) - _known_words
                words.update(found)
                _known_words.update(found)

    def later(after: float) -> float:
        """A random working-hours moment between ``after`` and now."""
        d0 = max(0, bisect.bisect_right(days, after) - 1)
        t = days[rng.randrange(d0, n_days)] + rng.uniform(25200, 63000)
        if t <= after:
            t = after + rng.uniform(120, 7200)
        if t >= now:
            t = after + (now - after) * rng.random()
        return t

    # Registration times grow over the five years (more customers lately), in id order,
    # on working days that are over (the timeline follows them up to now).
    reg_days = p["reg_days"]
    created = []
    for k in range(n):
        u = (start + k + rng.random()) / p["customers"]
        created.append(reg_days[min(len(reg_days) - 1, int(len(reg_days) * math.sqrt(u)))]
                       + rng.uniform(25200, 63000))
    created.sort()
    branch_of = rng.choices(range(len(branches)), cum_weights=p["branch_cum"], k=n)

    cust_lines: list[str] = []
    word_lines: list[str] = []
    contact_lines: list[str] = []
    events: list[tuple[str, str, str, str, str, str, str, str]] = []  # without the id
    consents: list[tuple[str, str, str, int, str]] = []  # last_event as local index
    tl_lines: list[str] = []
    tl_consent: list[tuple[float, str, int, str, str, str]] = []  # event as local index
    checks: list[tuple[dict[str, Any], list[str]]] = []

    for k in range(n):
        cid = first_id + k
        cid_s = str(cid)
        b = branches[branch_of[k]]
        bid = b["id"]
        t_created = created[k]
        created_s = ts(t_created)
        emps = b["employees"]
        emp = str(rng.choice(emps)) if emps and rng.random() < 0.96 else NULL
        r = rng.random()
        kind = "person" if r < 0.85 else ("company" if r < 0.95 else "sole_trader")
        first = last = company = pesel = nip = regon = bank = phone = email = ""
        industry = activity = size = mct = employer = ""
        education = income = vehicle = age_band = ""
        corr = ("", "", "", "")
        birth: datetime.date | None = None
        has_branches: bool | None = None
        founded: int | None = None
        consumer_like = False
        street_name, number, postal, city = ch.address(b)
        if kind != "company":
            female = rng.random() < 0.53
            first, last = ch.person_name(female)
            adult = 18 if kind == "sole_trader" else 0
            if rng.random() < (0.90 if kind == "person" else 0.60):
                birth = ch.birth_date(adult)
                pesel = ch.pesel(birth, female)
            elif rng.random() < 0.2:
                birth = ch.birth_date(adult)
            if birth is not None:
                age_band = age_band_for(birth, today)
            elif rng.random() < 0.15:
                age_band = rng.choice(["u25", "25-34", "35-44", "45-54", "55-64", "65+"])
            if rng.random() < (0.40 if kind == "person" else 0.15):
                education = rng.choice(["primary", "vocational", "vocational", "secondary",
                                        "secondary", "secondary", "higher", "higher"])
                if rng.random() < 0.85:
                    income = rng.choice(["low", "low", "middle", "middle", "middle", "high",
                                         "top"])
                if rng.random() < 0.75:
                    vehicle = rng.choice(["none", "car", "car", "car", "several", "company"])
                if kind == "person" and rng.random() < 0.5:
                    employer = rng.choice(EMPLOYERS)
        trade = -1
        if kind == "company":
            company, trade = ch.company_name(ALL_SURNAMES[pick(rng, SURNAME_CUM)][0])
        elif kind == "sole_trader":
            t = rng.randrange(len(TRADES))
            trade, rr = t, rng.random()
            label = TRADES[t][0]
            if rr < 0.5:
                company = f"{label} {first} {last}"
            elif rr < 0.7:
                company = f"{label} {rng.choice(BRAND_WORDS)} {first} {last}"
            elif rr < 0.85:
                company = f"{rng.choice(['PHU', 'FHU', 'PPHU', 'Firma'])} " \
                          f"{rng.choice(BRAND_WORDS)} {first} {last}"
            else:
                company = f"{first} {last} {label}"
            consumer_like = rng.random() < 0.25
        if kind != "person":
            nip = ch.nip()
            if rng.random() < (0.85 if kind == "company" else 0.60):
                regon = ch.regon()
            if rng.random() < (0.65 if kind == "company" else 0.50):
                if trade >= 0:
                    industry, activity = TRADES[trade][1], TRADES[trade][2]
                size = rng.choice(["micro"] * 6 + ["small"] * 3 + ["medium", "large"]) \
                    if kind == "company" else "micro"
                mct = rng.choice(["b2c", "b2c", "b2b", "b2b", "mixed"] +
                                 (["public"] if trade < 0 else []))
                has_branches = rng.random() < (0.2 if size in ("micro", "small") else 0.7)
                founded = max(1950, datetime.datetime.fromtimestamp(t_created).year
                              - int(rng.expovariate(1 / 12)))
            bank = ch.iban() if rng.random() < 0.85 else ""
        elif rng.random() < 0.25:
            bank = ch.iban()
        if rng.random() < (0.92 if kind == "person" else 0.90):
            phone = ch.unique_phone()
        if kind == "person" or (kind == "sole_trader" and rng.random() < 0.5):
            if rng.random() < 0.70:
                email = ch.person_email(first, last)
        elif rng.random() < 0.80:
            email = ch.business_email(company)
        if rng.random() < (0.06 if kind == "person" else 0.10):
            cs, cn, cp, cc = ch.address(b)
            corr = (f"{cs} {cn}", cp, cc, "")
            learn(cs, cn, cc)
        street = f"{street_name} {number}"
        learn(first, last, company, street_name, number, city)

        # Derived columns, as services.refresh_derived computes them.
        if kind == "company":
            display = company
        elif kind == "sole_trader":
            display = f"{company} ({first} {last})"[:250]
        else:
            display = f"{first} {last}"
        if kind == "company" or (not last and company):
            sort_key = cfold(company)[:250]
        else:
            sort_key = f"{cfold(last)} {cfold(first)}".strip()[:250]

        # Extra contacts (≈10 %): contacts are listed e-mail first, then phone, by pk.
        extra_mail = extra_phone = ""
        if rng.random() < 0.10:
            r2 = rng.random()
            if r2 < 0.55 or r2 >= 0.9:
                extra_phone = ch.unique_phone()
            if r2 >= 0.55:
                if kind == "person" or (kind == "sole_trader" and rng.random() < 0.5):
                    extra_mail = ch.person_email(first, last)
                else:
                    extra_mail = ch.business_email(company)
            for value, ck in ((extra_mail, "email"), (extra_phone, "phone")):
                if value:
                    label = rng.choice(BIZ_LABELS if kind == "company" else
                                       (MAIL_LABELS if ck == "email" else PHONE_LABELS))
                    contact_lines.append(lay["contact"].line((
                        ck, value, label if rng.random() < 0.8 else "", ts(later(t_created)),
                        cid_s)))
        parts = [cfold(last), cfold(first), cfold(company), pesel, nip, regon, phone[1:],
                 email, f"{cfold(street_name)} {cfold(number)}", postal, cfold(city),
                 cfold(corr[0]), cfold(corr[2]), extra_mail, extra_phone[1:]]
        search_text = " | ".join(x for x in parts if x)

        updated = later(t_created) if rng.random() < 0.3 else t_created
        row = (cid_s, created_s, ts(updated), kind, "active", first, last, company,
               "t" if consumer_like else "f", pesel, birth.isoformat() if birth else NULL,
               nip, regon, bank, phone, email, street, postal, city, "PL", corr[0], corr[1],
               corr[2], corr[3], industry, activity,
               NULL if has_branches is None else ("t" if has_branches else "f"), size, mct,
               NULL if founded is None else str(founded), age_band, education, income,
               vehicle, employer, display, sort_key, search_text, NULL, bid, emp, NULL)
        cust_lines.append(lay["customer"].line(row))
        own = words_of(first, last, company, street_name, number, city,
                       *((cs, cn, cc) if corr[0] else ()))
        word_lines.extend(lay["word"].line((cid_s, w, bid, sort_key)) for w in sorted(own))
        if k % CHECK_EVERY == 0:
            checks.append((dict(zip(CUSTOMER_COLS, row, strict=True)),
                           [v for v in (extra_mail, extra_phone[1:]) if v]))

        # Consents: the basis at registration, marketing at registration or later (then
        # through consent_record, which also writes a timeline entry), some withdrawn.
        src = rng.choice(FIRST_SOURCES)
        emp_ev = NULL if src in ("web", "import") else emp
        at0 = ts(t_created + 0.05)
        evs = [("contract", "t", at0, src, emp_ev, 0.0)]  # last: time if logged later
        for purpose, chance in MARKETING:
            if purpose == "marketing_email" and not email:
                chance = 0.05
            if rng.random() >= chance:
                continue
            if rng.random() < 0.8:
                t_give = t_created + 0.05
                evs.append((purpose, "t", at0, src, emp_ev, 0.0))
            else:
                t_give = later(t_created)
                s2 = rng.choice(LATER_SOURCES)
                e2 = NULL if s2 == "web" or not emps else str(rng.choice(emps))
                evs.append((purpose, "t", ts(t_give), s2, e2, t_give))
            if rng.random() < 0.12:
                t_w = later(t_give)
                s2 = rng.choice(LATER_SOURCES)
                e2 = NULL if s2 == "web" or not emps else str(rng.choice(emps))
                evs.append((purpose, "f", ts(t_w), s2, e2, t_w))
        last_of: dict[str, tuple[int, str, str]] = {}
        logged = 0
        for purpose, granted, at_s, source, ev_emp, t_logged in evs:
            local = len(events)
            events.append((purpose, granted, at_s, source, bid, ev_emp, texts[purpose], cid_s))
            last_of[purpose] = (local, granted, at_s)
            if t_logged:
                logged += 1
                subject = (given if granted == "t" else withdrawn)[purpose]
                tl_consent.append((t_logged, subject, local, ev_emp, bid, cid_s))
        for purpose, (local, granted, at_s) in last_of.items():
            consents.append((purpose, granted, at_s, local, cid_s))

        # Timeline: the registration entry, the consent entries above, then contacts,
        # notes and data changes (≈ tl_avg entries in all).
        t_reg = ts(t_created + 0.08)
        tl_lines.append(lay["timeline"].line((
            "system", t_reg, "", registered[bid], "", "customers.customer", cid_s, t_reg, emp,
            bid, cid_s)))
        n_other = int(rng.expovariate(1 / (tl_avg - 1)) + 0.5) if tl_avg > 1 else 0
        n_other = min(60, max(0, n_other - logged))
        for _ in range(n_other):
            tk = TL_KINDS[pick(rng, TL_KIND_CUM)][0]
            t = later(t_created)
            actor = str(rng.choice(emps)) if emps and rng.random() < 0.9 else NULL
            direction = subject = body = source_type = source_id = ""
            if tk == "note":
                body = rng.choice(NOTES)
            elif tk == "system":
                subject = rng.choice(changed["person" if kind == "person" else "business"])
                source_type, source_id = "customers.customer", cid_s
            else:
                direction = "in" if rng.random() < {"visit": 1.0, "call": 0.6, "email": 0.55,
                                                    "letter": 0.2, "sms": 0.1}[tk] else "out"
                subject = rng.choice(SUBJECTS[tk])
                if rng.random() < 0.6:
                    body = rng.choice(BODIES)
                if tk in ("sms", "letter") and direction == "out" and rng.random() < 0.7:
                    actor = NULL
            tl_lines.append(lay["timeline"].line((
                tk, ts(t), direction, subject, body, source_type, source_id,
                ts(min(now, t + rng.uniform(5, 1800))), actor, bid, cid_s)))

    # Event ids: one block per chunk from the shared counter.
    counter = p["event_counter"]
    with counter.get_lock():
        base = counter.value
        counter.value += len(events)
    ev_lines = [lay["event"].line((str(base + i), *e)) for i, e in enumerate(events)]
    consent_lines = [lay["consent"].line((pu, g, at, str(base + local), cs))
                     for pu, g, at, local, cs in consents]
    for t_ev, subject, local, actor, bid, cid_s in tl_consent:
        at_s = ts(t_ev + 0.02)
        tl_lines.append(lay["timeline"].line((
            "consent", at_s, "", subject, "", "customers.consentevent", str(base + local),
            at_s, actor, bid, cid_s)))

    check_derived(checks)

    with _conn.transaction(), _conn.cursor() as cur:
        for key, lines in (("customer", cust_lines), ("contact", contact_lines),
                           ("event", ev_lines), ("consent", consent_lines),
                           ("timeline", tl_lines), ("word", word_lines)):
            if not lines:
                continue
            with cur.copy(lay[key].sql) as copy:
                for i in range(0, len(lines), 20000):
                    copy.write("".join(lines[i:i + 20000]))
    counts = {"customer": n, "contact": len(contact_lines), "event": len(ev_lines),
              "consent": len(consent_lines), "timeline": len(tl_lines),
              "word": len(word_lines)}
    return c, counts, words, time.perf_counter() - t0


def check_derived(checks: list[tuple[dict[str, Any], list[str]]]) -> None:
    """Rebuild sampled customers as unsaved models and let the app compute their derived
    columns: any difference means the generator no longer matches refresh_derived()."""
    names = {f.attname: f for f in Customer._meta.concrete_fields}
    for row, extra in checks:
        values: dict[str, Any] = {}
        for col, text in row.items():
            f = names.get(col)
            if f is None or f.primary_key:
                continue
            values[f.attname] = None if text == NULL else f.to_python(
                text == "t" if f.get_internal_type() == "BooleanField" else text)
        obj = Customer(**values)
        mine = {a: getattr(obj, a) for a in names}
        refresh_derived(obj)  # pk is None: no contacts are read
        if extra:
            obj.search_text = search.search_text_for(obj, extra)
        theirs = {a: getattr(obj, a) for a in names}
        diff = {a: (mine[a], theirs[a]) for a in names if mine[a] != theirs[a]}
        missing = search.customer_lexicon(obj) - _known_words
        if diff:
            raise RuntimeError(f"customer {row['id']}: generated derived columns differ from "
                               f"refresh_derived(): {diff}")
        if missing:
            raise RuntimeError(f"customer {row['id']}: lexicon words not collected: {missing}")


# --- Parent: plan, schema juggling, checks -------------------------------------------------

def reset() -> None:
    """Empty every table of the customers app except the consent wordings (and, through
    CASCADE, whatever other areas keep about customers)."""
    tables = [m._meta.db_table for m in apps.get_app_config("customers").get_models()
              if m is not ConsentText and not m._meta.proxy and m._meta.managed]
    existing = set(connection.introspection.table_names())
    tables = [t for t in tables if t in existing]
    truncate_for_maintenance(tables)  # past the append-only guards


def make_plan(args: argparse.Namespace, now: datetime.datetime) -> dict[str, Any]:
    rng = random.Random(args.seed)
    branches = list(Branch.objects.filter(kind=BranchKind.BRANCH).order_by("code")
                    .values("id", "name", "city", "postal_code"))
    if not branches:
        sys.exit("No branches: run bench/gen_org.py --reset first.")
    staff: dict[int, list[int]] = {}
    for bid, eid in (Membership.objects.filter(is_active=True, employee__is_active=True)
                     .order_by("branch_id", "employee_id")
                     .values_list("branch_id", "employee_id")):
        staff.setdefault(bid, [])
        if not staff[bid] or staff[bid][-1] != eid:
            staff[bid].append(eid)
    with translation.override(settings.LANGUAGE_CODE):
        registered = {b["id"]: gettext("Registered at %(branch)s") % {"branch": b["name"]}
                      for b in branches}
        given = {p: gettext("Consent given: %(p)s") % {"p": ConsentPurpose(p).label}
                 for p in ConsentPurpose.values}
        withdrawn = {p: gettext("Consent withdrawn: %(p)s") % {"p": ConsentPurpose(p).label}
                     for p in ConsentPurpose.values}
        changed = {group: [gettext("Data changed: %(fields)s") % {"fields": ", ".join(
            str(Customer._meta.get_field(f).verbose_name) for f in fields)}
            for fields in sets] for group, sets in CHANGES.items()}
    texts = {}
    for p in ConsentPurpose.values:
        text = ConsentText.objects.filter(purpose=p, version=1).first() or \
            ConsentText.objects.filter(purpose=p).order_by("version").first()
        texts[p] = str(text.pk) if text else NULL
    # Skewed branch sizes: log-normal weights, big-city branches a little bigger.
    weights = [rng.lognormvariate(0, 0.7) * (1.3 if b["city"] in ("Warszawa", "Kraków",
                                                                   "Wrocław") else 1.0)
               for b in branches]
    for b in branches:
        b["prefixes"] = CITY_PREFIXES.get(b["city"]) or [b["postal_code"][:2] or "00"]
        b["employees"] = staff.get(b["id"], [])
        b["id"] = str(b["id"])
    registered = {str(k): v for k, v in registered.items()}
    today = timezone.localdate()
    # Working days (no Sundays) of the last five years, as UTC midnights.
    first_day = today - datetime.timedelta(days=round(5 * 365.25))
    days = []
    d = first_day
    while d <= today:
        if d.weekday() != 6:
            days.append(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.UTC)
                        .timestamp())
        d += datetime.timedelta(days=1)
    years = list(range(1940, 2007))
    birth_w = [1.0 + 0.6 * math.exp(-(((y - 1955) / 6) ** 2)) + 0.7 * math.exp(
        -(((y - 1983) / 5) ** 2)) - 0.3 * (y > 1998) for y in years]
    chunks = math.ceil(args.customers / args.chunk)
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(max(id), 0) FROM customers_customer")
        first_id = cur.fetchone()[0] + 1
        cur.execute("SELECT COALESCE(max(id), 0) FROM customers_consentevent")
        first_event = cur.fetchone()[0] + 1
    return {
        "seed": args.seed, "customers": args.customers, "chunk": args.chunk,
        "partitions": max(1, min(chunks, 1000)), "first_id": first_id,
        "event_counter": mp.Value("q", first_event), "branches": branches,
        "branch_cum": cum(weights), "days": days, "now": now.timestamp(), "today": today,
        "texts": texts, "timeline": args.timeline_per_customer, "registered": registered,
        "given": given, "withdrawn": withdrawn, "changed": changed,
        "reg_days": [d for d in days if d + 63000 < now.timestamp()],
        "birth_years": years, "birth_cum": cum(birth_w), "conninfo": conninfo(),
        "layouts": {"customer": Layout(Customer, CUSTOMER_COLS),
                    "contact": Layout(CustomerContact, CONTACT_COLS),
                    "event": Layout(ConsentEvent, EVENT_COLS),
                    "consent": Layout(Consent, CONSENT_COLS),
                    "timeline": Layout(TimelineEntry, TIMELINE_COLS),
                    "word": Layout(CustomerWord, WORD_COLS)},
    }


def drop_schema() -> dict[str, list[tuple[str, str, str]]]:
    """Drop secondary indexes, unique and foreign keys of the loaded tables; return what
    brings them back as (table, name, SQL) per kind."""
    tables = [m._meta.db_table for m in LOADED]
    saved: dict[str, list[tuple[str, str, str]]] = {"index": [], "unique": [], "fk": []}
    with connection.cursor() as cur:
        cur.execute("""
            SELECT c.conname, c.contype, c.conrelid::regclass::text, pg_get_constraintdef(c.oid),
                   CASE WHEN c.contype = 'u' THEN pg_get_indexdef(c.conindid) END
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')
            ORDER BY c.contype, c.conname""", [tables])
        constraints = cur.fetchall()
        cur.execute("""
            SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text,
                   pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1""", [tables])
        indexes = cur.fetchall()
        for name, ctype, table, definition, index_def in constraints:
            if ctype == "u":  # index built in parallel, then attached to the constraint
                tail = definition[definition.index(")") + 1:].strip()
                saved["index"].append((table, name, index_def))
                saved["unique"].append((table, name, f'ALTER TABLE {table} ADD CONSTRAINT '
                                                     f'"{name}" UNIQUE USING INDEX "{name}" '
                                                     f"{tail}".strip()))
            else:  # added NOT VALID, then validated in parallel
                saved["fk"].append((table, name, f'ALTER TABLE {table} ADD CONSTRAINT '
                                                 f'"{name}" {definition} NOT VALID'))
        saved["index"].extend(indexes)
        for table, name, _sql in saved["fk"] + saved["unique"]:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _table, _sql in indexes:
            cur.execute(f"DROP INDEX {name}")
    return saved


def run_parallel(statements: list[str], workers: int, label: str) -> None:
    """Run statements on ``workers`` connections at once, in the given order."""
    lock = threading.Lock()
    queue = list(statements)

    def work() -> None:
        with psycopg.connect(**conninfo(), autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute("SET max_parallel_maintenance_workers = 0")
            while True:
                with lock:
                    if not queue:
                        return
                    stmt = queue.pop(0)
                t = time.perf_counter()
                conn.execute(stmt)
                with lock:
                    print(f"    {time.perf_counter() - t:6.1f} s  {label}{stmt[:100]}",
                          flush=True)

    with ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(work) for _ in range(workers)]:
            f.result()


def restore_schema(saved: dict[str, list[tuple[str, str, str]]], workers: int) -> None:
    """Indexes (the trigram GIN first, then the biggest tables), then the constraints."""
    order = {m._meta.db_table: i for i, m in enumerate(
        [TimelineEntry, CustomerWord, Customer, ConsentEvent, Consent, CustomerContact])}
    indexes = sorted(saved["index"], key=lambda x: (" gin " not in x[2].lower(),
                                                    order.get(x[0], 9)))
    run_parallel([sql for _t, _n, sql in indexes], workers, "")
    with connection.cursor() as cur:
        for _t, _n, sql in saved["unique"] + saved["fk"]:
            cur.execute(sql)
    run_parallel([f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"' for table, name, _s in
                  sorted(saved["fk"], key=lambda x: order.get(x[0], 9))], workers, "")


def verify(sample: int, seed: int) -> None:
    """Re-check customers from the database against the app's own functions."""
    from stdnum import iban as stdnum_iban
    from stdnum.pl import nip as stdnum_nip
    from stdnum.pl import pesel as stdnum_pesel
    from stdnum.pl import regon as stdnum_regon

    from punkt.customers import identifiers as ids

    rng = random.Random(seed)
    lo, hi = Customer.objects.order_by("id").values_list("id", flat=True).first(), \
        Customer.objects.order_by("-id").values_list("id", flat=True).first()
    pks = {rng.randint(lo, hi) for _ in range(sample)}
    for kind in ("company", "sole_trader"):
        pks.add(Customer.objects.filter(kind=kind, id__gte=rng.randint(lo, hi))
                .order_by("id").values_list("id", flat=True).first() or lo)
    pks.add(CustomerContact.objects.filter(customer_id__gte=rng.randint(lo, hi))
            .order_by("customer_id").values_list("customer_id", flat=True).first() or lo)
    problems = 0
    for c in Customer.objects.filter(pk__in=pks).order_by("pk"):
        stored = (c.display_name, c.sort_key, c.search_text)
        refresh_derived(c)  # saved: reads the extra contacts, like the app
        ok = stored == (c.display_name, c.sort_key, c.search_text)
        ok &= c.sort_key == search.sort_key_for(c)
        extra = [x.value if x.kind == "email" else digits(x.value) for x in c.contacts.all()]
        ok &= c.search_text == search.search_text_for(c, extra)
        ids_ok = (not c.pesel or stdnum_pesel.is_valid(c.pesel)) and \
            (not c.nip or stdnum_nip.is_valid(c.nip)) and \
            (not c.regon or stdnum_regon.is_valid(c.regon)) and \
            (not c.bank_account or stdnum_iban.is_valid(c.bank_account))
        if c.pesel:
            ids_ok &= stdnum_pesel.get_birth_date(c.pesel) == c.birth_date
        ids_ok &= (not c.phone or ids.clean_phone(c.phone) == c.phone)
        ids_ok &= (not c.email or ids.clean_email(c.email).lower() == c.email)
        ids_ok &= ids.clean_postal_code(c.postal_code, field="postal_code") == c.postal_code
        lex = search.customer_lexicon(c)
        lex_ok = SearchWord.objects.filter(word__in=lex).count() == len(lex) and set(
            CustomerWord.objects.filter(customer=c, sort_key=c.sort_key, branch_id=c.branch_id)
            .values_list("word", flat=True)) == lex
        consents = list(Consent.objects.filter(customer=c).select_related("last_event"))
        latest = {}
        for e in ConsentEvent.objects.filter(customer=c).order_by("at", "pk"):
            latest[e.purpose] = e
        cons_ok = {x.purpose: x.last_event_id for x in consents} == \
            {p: e.pk for p, e in latest.items()} and "contract" in latest and \
            all(x.granted == x.last_event.granted for x in consents)
        n_tl = TimelineEntry.objects.filter(customer=c).count()
        flag = "ok" if ok and ids_ok and lex_ok and cons_ok else "MISMATCH"
        problems += flag != "ok"
        print(f"  {c.number} {c.kind:<11} {c.display_name[:38]:<38} pesel={c.pesel or '-':<11} "
              f"nip={c.nip or '-':<10} contacts={len(extra)} timeline={n_tl:<3} "
              f"derived={'ok' if ok else 'DIFF'} ids={'ok' if ids_ok else 'BAD'} "
              f"lexicon={'ok' if lex_ok else 'MISSING'} consents={'ok' if cons_ok else 'BAD'}")
        if not ok:
            print(f"    stored:   {stored}\n    computed: "
                  f"{(c.display_name, c.sort_key, c.search_text)}")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) - count(DISTINCT pesel) FROM customers_customer "
                    "WHERE pesel <> ''")
        dup_pesel = cur.fetchone()[0]
        cur.execute("SELECT count(*) - count(DISTINCT nip) FROM customers_customer "
                    "WHERE nip <> ''")
        dup_nip = cur.fetchone()[0]
    print(f"  duplicate PESEL: {dup_pesel}, duplicate NIP: {dup_nip}")
    if problems or dup_pesel or dup_nip:
        sys.exit(f"verification failed for {problems} customer(s)")


def table_counts() -> None:
    with connection.cursor() as cur:
        for model in [*LOADED, SearchWord]:
            cur.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            print(f"  {model._meta.db_table:<28} {cur.fetchone()[0]:>10,}")
        cur.execute("SELECT kind, count(*) FROM customers_customer GROUP BY 1 ORDER BY 2 DESC")
        print("  by kind: " + ", ".join(f"{k} {n:,}" for k, n in cur.fetchall()))
        cur.execute("SELECT min(n), percentile_disc(0.5) WITHIN GROUP (ORDER BY n), max(n) "
                    "FROM (SELECT count(*) n FROM customers_customer GROUP BY branch_id) x")
        lo, median, hi = cur.fetchone()
        print(f"  customers per branch (min / median / max): {lo} / {median} / {hi}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--timeline-per-customer", type=float, default=5.0,
                    help="average timeline entries per customer (the registration included)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--reset", action="store_true", help="empty the customer tables first")
    ap.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 2) + 1),
                    help="generator processes (default: cores + 1)")
    ap.add_argument("--chunk", type=int, default=10_000, help="customers per COPY batch")
    ap.add_argument("--check", type=int, default=5,
                    help="random customers to re-check at the end (0: skip)")
    ap.add_argument("--no-migrate", action="store_true")
    ap.add_argument("--force", action="store_true",
                    help="allow a database whose name does not contain 'bench'")
    args = ap.parse_args()
    db_guard(args.force)
    if connection.vendor != "postgresql":
        sys.exit("gen_customers.py loads with COPY: it needs PostgreSQL.")
    if args.customers < 1 or args.chunk < 1:
        sys.exit("--customers and --chunk must be positive.")
    t0 = time.perf_counter()
    phases: list[tuple[str, float]] = []

    def phase(label: str, since: float) -> float:
        now_ = time.perf_counter()
        phases.append((label, now_ - since))
        print(f"[{label}] {now_ - since:.1f} s", flush=True)
        return now_

    if not args.no_migrate:
        call_command("migrate", verbosity=0, interactive=False)
    if args.reset:
        reset()
    elif Customer.objects.exists():
        sys.exit("The database already holds customers; run with --reset to replace them.")
    now = timezone.now()
    PLAN.update(make_plan(args, now))
    for text in [*MALE, *FEMALE, *(s for pair in ALL_SURNAMES for s in pair), *COMMON_STREETS,
                 *(s for v in CITY_STREETS.values() for s in v), *(t for t, _c in TOWNS),
                 *(c for _k, c, _p, _w in CITIES)]:
        cfold(text)
    print(f"loading {args.customers:,} customers into {settings.DATABASES['default']['NAME']} "
          f"over {len(PLAN['branches'])} branches, {args.workers} workers, "
          f"{math.ceil(args.customers / args.chunk)} chunks", flush=True)
    t = phase("prepare", t0)

    saved = drop_schema()
    t = phase("drop indexes and keys", t)
    totals = {"customer": 0, "contact": 0, "event": 0, "consent": 0, "timeline": 0,
              "word": 0}
    lexicon: set[str] = set()
    try:
        connection.close()  # the workers are forked: none of them may share it
        chunks = math.ceil(args.customers / args.chunk)
        step = max(1, chunks // 10)
        done = 0
        with mp.get_context("fork").Pool(args.workers, initializer=worker_init) as pool:
            for _c, counts, words, _secs in pool.imap_unordered(gen_chunk, range(chunks)):
                for key, value in counts.items():
                    totals[key] += value
                lexicon |= words
                done += 1
                if done % step == 0 or done == chunks:
                    print(f"  {done}/{chunks} chunks, {totals['customer']:,} customers, "
                          f"{time.perf_counter() - t:.0f} s", flush=True)
        t = phase("generate + COPY", t)
        search.lexicon_add(lexicon)
        with connection.cursor() as cur:
            for table in ("customers_customer", "customers_consentevent"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT COALESCE(max(id), 1) FROM {table}))")
        t = phase(f"lexicon ({len(lexicon):,} words) + sequences", t)
    finally:
        t = time.perf_counter()
        restore_schema(saved, 2)
        t = phase("re-create indexes and keys", t)
    # VACUUM too: it sets the visibility map, which index-only scans (the word search) need;
    # autovacuum does the same in a running system.
    run_parallel([f"VACUUM (ANALYZE) {m._meta.db_table}" for m in [*LOADED, SearchWord]], 2,
                 "")
    t = phase("vacuum + analyze", t)
    total = time.perf_counter() - t0
    print(f"loaded in {total:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in totals.items()))
    table_counts()
    if args.check:
        verify(args.check, args.seed)
        phase("verify", t)
    print("phases: " + ", ".join(f"{label} {secs:.1f} s" for label, secs in phases)
          + f"; load total {total:.1f} s")


if __name__ == "__main__":
    main()
