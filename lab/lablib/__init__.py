"""The osfleet.day2 lab: real OpenStack services, emulated BMCs and a legacy
hypervisor on 127.0.0.1. Stdlib only: labctl runs on any python3 >= 3.9 and
creates the virtualenvs that the services run in."""
