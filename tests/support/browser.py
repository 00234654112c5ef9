"""tests/support/browser.py: a small W3C WebDriver client for chromedriver.

Python's standard library only (urllib and json): one command a call, so
a shell test can check each answer.  The driver's address is $WEBDRIVER
(http://127.0.0.1:PORT), the session $WD_SESSION (printed by `new`).

  browser.py new USER-DATA-DIR     starts headless Chromium, prints the id
  browser.py go URL                navigates and waits for the page
  browser.py url                   the current URL
  browser.py text CSS              the text of the first match
  browser.py attr CSS NAME         an attribute of the first match
  browser.py count CSS             how many elements match
  browser.py selected CSS          true or false
  browser.py click CSS             clicks the first match
  browser.py type CSS TEXT         types TEXT into the first match
  browser.py js SCRIPT [ARG...]    runs SCRIPT (arguments as strings),
                                   prints its value as JSON
  browser.py size WIDTH HEIGHT     sets the window size
  browser.py shot FILE [full]      saves a PNG of the viewport, or with
                                   "full" of the whole page
  browser.py back                  goes back in the history (a POST's
                                   page comes back from the cache)
  browser.py refresh               reloads the page (a POST's page: the
                                   POST again)
  browser.py tab                   opens a new tab, prints its handle
  browser.py switch HANDLE         makes that tab the current one
  browser.py close                 closes the current tab
  browser.py handle                the current tab's handle
  browser.py cookie NAME           a cookie's value (HttpOnly too)
  browser.py log                   the browser console since the last
                                   call, "LEVEL message" a line
  browser.py quit                  ends the session (Chromium exits)

Exits 1 with the driver's error on stderr when a command fails.
"""
import base64
import inspect
import json
import os
import sys
import urllib.error
import urllib.request

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# A W3C element reference is an object with this one key.
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class DriverError(Exception):
    pass


def call(method, path, body=None):
    url = os.environ["WEBDRIVER"] + path
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=120) as f:
            return json.load(f)["value"]
    except urllib.error.HTTPError as e:
        try:
            v = json.load(e)["value"]
            msg = "%s: %s" % (v.get("error"), v.get("message", ""))
        except (ValueError, KeyError, AttributeError):
            msg = "HTTP %d" % e.code
        raise DriverError("%s %s: %s" % (method, path, msg)) from None
    except urllib.error.URLError as e:
        raise DriverError("%s %s: %s" % (method, path, e.reason)) from None


def session(path=""):
    return "/session/" + os.environ["WD_SESSION"] + path


def find(css):
    return call("POST", session("/element"),
                {"using": "css selector", "value": css})[ELEMENT]


def cmd_new(user_data_dir):
    caps = {"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:loggingPrefs": {"browser": "ALL"},
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ARGS + ["--user-data-dir=" + user_data_dir],
        },
    }}}
    print(call("POST", "/session", caps)["sessionId"])


def cmd_go(url):
    call("POST", session("/url"), {"url": url})


def cmd_url():
    print(call("GET", session("/url")))


def cmd_text(css):
    print(call("GET", session("/element/%s/text" % find(css))))


def cmd_attr(css, name):
    v = call("GET", session("/element/%s/attribute/%s" % (find(css), name)))
    print("" if v is None else v)


def cmd_count(css):
    print(len(call("POST", session("/elements"),
                   {"using": "css selector", "value": css})))


def cmd_selected(css):
    v = call("GET", session("/element/%s/selected" % find(css)))
    print("true" if v else "false")


def cmd_click(css):
    call("POST", session("/element/%s/click" % find(css)), {})


def cmd_type(css, text):
    call("POST", session("/element/%s/value" % find(css)), {"text": text})


def cmd_js(script, *args):
    print(json.dumps(call("POST", session("/execute/sync"),
                          {"script": script, "args": list(args)}),
                     ensure_ascii=False))


def cmd_size(width, height):
    call("POST", session("/window/rect"),
         {"width": int(width), "height": int(height)})


def cmd_shot(path, full=None):
    if full is None:
        png = base64.b64decode(call("GET", session("/screenshot")))
    else:
        # chromedriver's DevTools passthrough: the page beyond the viewport.
        w, h = call("POST", session("/execute/sync"), {"script": (
            "const e = document.documentElement;"
            "return [Math.max(e.scrollWidth, window.innerWidth),"
            " e.scrollHeight];"), "args": []})
        png = base64.b64decode(call("POST", session("/goog/cdp/execute"), {
            "cmd": "Page.captureScreenshot", "params": {
                "captureBeyondViewport": True, "clip": {
                    "x": 0, "y": 0, "width": w, "height": h,
                    "scale": 1}}})["data"])
    with open(path, "wb") as f:
        f.write(png)


def cmd_back():
    call("POST", session("/back"), {})


def cmd_refresh():
    call("POST", session("/refresh"), {})


def cmd_tab():
    print(call("POST", session("/window/new"), {"type": "tab"})["handle"])


def cmd_switch(handle):
    call("POST", session("/window"), {"handle": handle})


def cmd_close():
    call("DELETE", session("/window"))


def cmd_handle():
    print(call("GET", session("/window")))


def cmd_cookie(name):
    print(call("GET", session("/cookie/" + name))["value"])


def cmd_log():
    # chromedriver's legacy log endpoint, still served in W3C mode.
    for e in call("POST", session("/se/log"), {"type": "browser"}):
        print(e["level"], " ".join(e["message"].split()))


def cmd_quit():
    call("DELETE", session())


COMMANDS = {
    "new": cmd_new, "go": cmd_go, "url": cmd_url, "text": cmd_text,
    "attr": cmd_attr, "count": cmd_count, "selected": cmd_selected,
    "click": cmd_click, "type": cmd_type, "js": cmd_js, "size": cmd_size, "shot": cmd_shot,
    "back": cmd_back, "refresh": cmd_refresh, "tab": cmd_tab, "switch": cmd_switch,
    "close": cmd_close, "handle": cmd_handle, "cookie": cmd_cookie, "log": cmd_log,
    "quit": cmd_quit,
}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        return 2
    f = COMMANDS[argv[1]]
    try:
        inspect.signature(f).bind(*argv[2:])
    except TypeError as e:
        sys.stderr.write("browser.py %s: %s\n" % (argv[1], e))
        return 2
    try:
        f(*argv[2:])
    except DriverError as e:
        sys.stderr.write("browser.py: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
