"""Create the service project, service users and the catalog (runs in the lab venv).

Usage: python catalog.py   (env: OSFLAB_CATALOG = JSON from lablib.openstack.initdb or .site_b)

Endpoints are made per region: the spec's region gets what it lacks, whatever other regions have.
"""
import json
import os

import openstack

spec = json.loads(os.environ["OSFLAB_CATALOG"])
conn = openstack.connect(auth_url=spec["auth_url"], username="admin",
                         password=spec["admin_password"], project_name="admin",
                         user_domain_id="default", project_domain_id="default",
                         region_name=spec.get("auth_region", spec["region"]), interface="public")
idn = conn.identity

project = idn.find_project(spec["service_project"], domain_id="default") or \
    idn.create_project(name=spec["service_project"], domain_id="default",
                       description="OpenStack service users")
roles = {r.name: r for r in idn.roles()}
for name in ("admin", "service", "member", "reader"):
    if name not in roles:
        roles[name] = idn.create_role(name=name)

for user_name in spec["service_users"]:
    user = idn.find_user(user_name, domain_id="default")
    if user is None:
        user = idn.create_user(name=user_name, domain_id="default",
                               password=spec["service_password"],
                               default_project_id=project.id)
    else:
        idn.update_user(user, password=spec["service_password"])
    for role in ("admin", "service"):
        idn.assign_project_role_to_user(project, user, roles[role])

if idn.find_region(spec["region"]) is None:  # the second site's region (RegionOne: keystone-manage bootstrap)
    idn.create_region(id=spec["region"], description="osfleet lab region %s" % spec["region"])
existing = {(s.type): s for s in idn.services()}
for svc in spec["services"]:
    s = existing.get(svc["type"]) or idn.create_service(name=svc["name"], type=svc["type"],
                                                         description=svc["name"])
    have = {(e.interface) for e in idn.endpoints(service_id=s.id) if e.region_id == spec["region"]}
    for interface in ("public", "internal"):
        if interface not in have:
            idn.create_endpoint(service_id=s.id, interface=interface, url=svc["url"],
                                region_id=spec["region"])
print("catalog ok")
