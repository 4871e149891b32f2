"""Headless Chromium for the page tests, as this machine runs it: Debian's
chromium and chromedriver with Selenium 4.8 (under /usr/bin/python3)."""
from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def driver(width=1400, height=1000):
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=%d,%d" % (width, height)):
        o.add_argument(a)
    o.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
