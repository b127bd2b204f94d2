import logging, os, sys, time, threading
sys.path.insert(0, os.environ.get("STACKIMPACT_PYTHON", "."))  # a checkout of stackimpact-python
import stackimpact
logging.basicConfig(stream=open(os.devnull, 'w'))

agent = stackimpact.start(agent_key="si_key", app_name="py-recorded", app_version="1.0.0",
                          app_environment="test", dashboard_address=os.environ["DASHBOARD"], debug=True)
agent.enable()  # the released 1.2.6 never starts its error and metrics reporters from config

leak = []

def cpu_work():
    x = 0
    for i in range(300000):
        x += i * i
    return x

def allocate_memory():
    leak.append([str(i) for i in range(2000)])

def wait_for_event():
    event = threading.Event()
    threading.Timer(0.02, event.set).start()
    event.wait()

def parse_payment(amount):
    raise ValueError("payment declined: " + str(amount))

def handle_request(amount):
    try:
        parse_payment(amount)
    except ValueError:
        logging.exception("request failed")  # as a web framework logs it: calls sys.exc_info()

deadline = time.time() + 200
while time.time() < deadline:
    cpu_work()
    allocate_memory()
    wait_for_event()
    handle_request(42)
    time.sleep(0.01)
