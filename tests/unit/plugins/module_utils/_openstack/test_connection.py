# -*- coding: utf-8 -*-
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import (
    CloudOptions,
    api_call,
    configured_regions,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError, ValidationError


def test_options_map_to_sdk_names():
    opts = CloudOptions.from_params(dict(cloud="lab", region_name="R1", validate_certs=False, ca_cert="/ca",
                                         client_cert="/c", client_key="/k", api_timeout=30, interface="internal",
                                         auth=None))
    assert opts.connect_kwargs() == dict(cloud="lab", region_name="R1", verify=False, cacert="/ca", cert="/c",
                                         key="/k", api_timeout=30, interface="internal")


def test_tls_verification_is_left_to_the_sdk_default_when_unset():
    assert "verify" not in CloudOptions.from_params(dict(cloud="lab")).connect_kwargs()


def test_cloud_dict_is_merged():
    opts = CloudOptions.from_params(dict(cloud=dict(auth=dict(auth_url="http://k")), region_name="R2"))
    assert opts.connect_kwargs() == dict(auth=dict(auth_url="http://k"), region_name="R2", interface="public")


@pytest.mark.parametrize("params, field", [
    (dict(cloud=42), "cloud"),
    (dict(cloud="x", client_key="/k"), "client_key"),
])
def test_bad_options_name_the_field(params, field):
    with pytest.raises(ValidationError) as err:
        CloudOptions.from_params(params).connect_kwargs()
    assert err.value.field == field


def test_api_call_translates_not_found():
    from openstack import exceptions as sdk_exc
    with pytest.raises(NotFoundError) as err:
        with api_call("get server", resource="vm-1"):
            raise sdk_exc.NotFoundException(message="No Server found for vm-1")
    assert "get server (vm-1)" in err.value.message


def test_api_call_translates_keystoneauth_errors():
    from keystoneauth1 import exceptions as ksa
    with pytest.raises(CloudError) as err:
        with api_call("connect", resource="cloud lab"):
            raise ksa.ConnectFailure("Unable to establish connection to http://127.0.0.1:1")
    assert err.value.call == "connect"
    assert "Unable to establish connection" in err.value.message


def test_api_call_lets_programming_errors_through():
    with pytest.raises(KeyError):
        with api_call("x"):
            raise KeyError("bug")


def test_configured_regions_are_what_clouds_yaml_pins(tmp_path, monkeypatch):
    auth = "auth: {auth_url: 'http://keystone.example.test:5000/v3', username: u, password: p, project_name: x}"
    (tmp_path / "clouds.yaml").write_text("\n".join([
        "clouds:",
        "  pinned: {region_name: site-a, %s}" % auth,
        "  several: {regions: [site-a, site-b], %s}" % auth,
        "  open: {%s}" % auth,
    ]) + "\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
    assert configured_regions("pinned") == ["site-a"]
    assert configured_regions("several") == ["site-a", "site-b"]
    assert configured_regions("open") is None         # any region of the catalog
    assert configured_regions("not-there") is None    # the connection says what is wrong with it
    assert configured_regions({"auth": {}}) is None   # a dict of settings is no clouds.yaml name
