# -*- coding: utf-8 -*-
# GENERATED FILE - do not edit. Made by tools/release_table.py build from tools/release-data/upstream.json
# (regenerate: docs/sites.md, "Currency").
# Data from openstack/releases 02df7c9a3cc39cf886c8c1b8181d5e4ed96781c9
# and openstack/service-types-authority 0d7ed0019d648a18f27fdf11a363e2e7ba1b5e90,
# Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0); see SOURCES for every repository used.
"""The OpenStack release table: series, the service deliverables' releases per series, and API maxima.

Generated so that it is Python: module_utils files are what AnsiballZ ships with a module,
and a data file next to them would not reach the managed node. Private to osfleet.day2.
"""

from __future__ import annotations


SOURCES = {
    'releases': {'url': 'https://opendev.org/openstack/releases', 'commit': '02df7c9a3cc39cf886c8c1b8181d5e4ed96781c9', 'licence': 'Apache-2.0'},
    'service-types-authority': {
        'url': 'https://opendev.org/openstack/service-types-authority', 'commit': '0d7ed0019d648a18f27fdf11a363e2e7ba1b5e90', 'licence': 'Apache-2.0',
    },
    'ironic': {
        'url': 'https://opendev.org/openstack/ironic', 'commit': '7bc6aba7dda0b8a863d0310af6f06925d30c9563', 'licence': 'Apache-2.0',
        'path': 'ironic/common/release_mappings.py',
    },
    'cinder': {
        'url': 'https://opendev.org/openstack/cinder', 'commit': 'ab09bc39dbcd4d5b301f2f5da8fcfd9e5ef1fe8c', 'licence': 'Apache-2.0',
        'path': 'cinder/api/openstack/rest_api_version_history.rst',
    },
    'manila': {
        'url': 'https://opendev.org/openstack/manila', 'commit': 'd28877849f29128ecb3b1b7c63435ba2aef1811d', 'licence': 'Apache-2.0',
        'path': 'manila/api/openstack/rest_api_version_history.rst',
    },
    'nova': {
        'url': 'https://opendev.org/openstack/nova', 'commit': '00a030403f672b975364c855b7d25b40ef83e757', 'licence': 'Apache-2.0',
        'path': 'nova/api/openstack/compute/rest_api_version_history.rst',
    },
}
"""Where each part comes from: repository, commit, licence."""


SERIES = (
    {'series': 'ussuri', 'name': 'ussuri', 'status': 'end of life', 'slurp': False},
    {'series': 'victoria', 'name': 'victoria', 'status': 'end of life', 'slurp': False},
    {'series': 'wallaby', 'name': 'wallaby', 'status': 'end of life', 'slurp': False},
    {'series': 'xena', 'name': 'xena', 'status': 'end of life', 'slurp': False},
    {'series': 'yoga', 'name': 'yoga', 'status': 'unmaintained', 'slurp': False},
    {'series': 'zed', 'name': 'zed', 'status': 'unmaintained', 'slurp': False},
    {'series': '2023.1', 'name': 'antelope', 'status': 'unmaintained', 'slurp': True},
    {'series': '2023.2', 'name': 'bobcat', 'status': 'end of life', 'slurp': False},
    {'series': '2024.1', 'name': 'caracal', 'status': 'unmaintained', 'slurp': True},
    {'series': '2024.2', 'name': 'dalmatian', 'status': 'end of life', 'slurp': False},
    {'series': '2025.1', 'name': 'epoxy', 'status': 'maintained', 'slurp': True},
    {'series': '2025.2', 'name': 'flamingo', 'status': 'maintained', 'slurp': False},
    {'series': '2026.1', 'name': 'gazpacho', 'status': 'maintained', 'slurp': True},
    {'series': '2026.2', 'name': 'hibiscus', 'status': 'development', 'slurp': False},
)
"""The series, oldest first: key (release id since 2023.1, else name), name, upstream status, SLURP flag."""


DELIVERABLES = {
    'adjutant': {
        'ussuri': {'first': '0.5.0', 'last': '0.5.1'}, 'victoria': {'first': '1.0.0', 'last': '1.0.0'},
        'wallaby': {'first': '2.0.0', 'last': '2.0.0'}, 'xena': {'first': '3.0.0', 'last': '3.0.1'}, 'yoga': {'first': '4.0.0', 'last': '4.0.0'},
        'zed': {'first': '5.0.0', 'last': '5.0.0'}, '2023.1': {'first': '6.0.0', 'last': '6.0.0'}, '2023.2': {'first': '7.0.0', 'last': '7.0.0'},
        '2024.1': {'first': '8.0.0', 'last': '8.0.0'}, '2024.2': {'first': '9.0.0', 'last': '9.0.0'}, '2025.1': {'first': '10.0.0', 'last': '10.0.0'},
        '2025.2': {'first': '11.0.0', 'last': '11.0.0'}, '2026.1': {'first': '12.0.0', 'last': '12.0.0'},
    },
    'aetos': {'2025.2': {'first': '1.0.0', 'last': '1.0.0'}, '2026.1': {'first': '2.0.0', 'last': '2.0.0'}},
    'aodh': {
        'ussuri': {'first': '10.0.0', 'last': '10.0.0'}, 'victoria': {'first': '11.0.0', 'last': '11.0.0'},
        'wallaby': {'first': '12.0.0', 'last': '12.0.0'}, 'xena': {'first': '13.0.0', 'last': '13.1.0'},
        'yoga': {'first': '14.0.0', 'last': '14.1.0'}, 'zed': {'first': '15.0.0', 'last': '15.0.0'}, '2023.1': {'first': '16.0.0', 'last': '16.0.0'},
        '2023.2': {'first': '17.0.0', 'last': '17.0.0'}, '2024.1': {'first': '18.0.0', 'last': '18.0.0'},
        '2024.2': {'first': '19.0.0', 'last': '19.0.0'}, '2025.1': {'first': '20.0.0', 'last': '20.0.1'},
        '2025.2': {'first': '21.0.0', 'last': '21.0.1'}, '2026.1': {'first': '22.0.0', 'last': '22.0.1'},
    },
    'barbican': {
        'ussuri': {'first': '10.0.0', 'last': '10.1.0'}, 'victoria': {'first': '11.0.0', 'last': '11.0.0'},
        'wallaby': {'first': '12.0.0', 'last': '12.0.2'}, 'xena': {'first': '13.0.0', 'last': '13.0.2'},
        'yoga': {'first': '14.0.0', 'last': '14.0.2'}, 'zed': {'first': '15.0.0', 'last': '15.0.1'}, '2023.1': {'first': '16.0.0', 'last': '16.0.2'},
        '2023.2': {'first': '17.0.0', 'last': '17.0.0'}, '2024.1': {'first': '18.0.0', 'last': '18.0.0'},
        '2024.2': {'first': '19.0.0', 'last': '19.0.0'}, '2025.1': {'first': '20.0.0', 'last': '20.0.0'},
        '2025.2': {'first': '21.0.0', 'last': '21.0.0'}, '2026.1': {'first': '22.0.0', 'last': '22.0.0'},
    },
    'blazar': {
        'ussuri': {'first': '5.0.0', 'last': '5.0.1'}, 'victoria': {'first': '6.0.0', 'last': '6.0.2'},
        'wallaby': {'first': '7.0.0', 'last': '7.0.1'}, 'xena': {'first': '8.0.0', 'last': '8.0.1'}, 'yoga': {'first': '9.0.0', 'last': '9.0.0'},
        'zed': {'first': '10.0.0', 'last': '10.0.0'}, '2023.1': {'first': '11.0.0', 'last': '11.0.1'},
        '2023.2': {'first': '12.0.0', 'last': '12.0.1'}, '2024.1': {'first': '13.0.0', 'last': '13.0.1'},
        '2024.2': {'first': '14.0.0', 'last': '14.0.1'}, '2025.1': {'first': '15.0.0', 'last': '15.1.0'},
        '2025.2': {'first': '16.0.0', 'last': '16.0.0'}, '2026.1': {'first': '17.0.0', 'last': '17.0.0'},
    },
    'ceilometer': {
        'ussuri': {'first': '14.0.0', 'last': '14.1.0'}, 'victoria': {'first': '15.0.0', 'last': '15.1.0'},
        'wallaby': {'first': '16.0.0', 'last': '16.0.1'}, 'xena': {'first': '17.0.0', 'last': '17.0.2'},
        'yoga': {'first': '18.0.0', 'last': '18.1.0'}, 'zed': {'first': '19.0.0', 'last': '19.1.0'}, '2023.1': {'first': '20.0.0', 'last': '20.0.0'},
        '2023.2': {'first': '21.0.0', 'last': '21.0.1'}, '2024.1': {'first': '22.0.0', 'last': '22.0.1'},
        '2024.2': {'first': '23.0.0', 'last': '23.0.2'}, '2025.1': {'first': '24.0.0', 'last': '24.0.2'},
        '2025.2': {'first': '25.0.0', 'last': '25.0.0'}, '2026.1': {'first': '26.0.0', 'last': '26.0.0'},
    },
    'cinder': {
        'ussuri': {'first': '16.0.0', 'last': '16.4.2'}, 'victoria': {'first': '17.0.0', 'last': '17.4.0'},
        'wallaby': {'first': '18.0.0', 'last': '18.2.1'}, 'xena': {'first': '19.0.0', 'last': '19.3.0'},
        'yoga': {'first': '20.0.0', 'last': '20.3.2'}, 'zed': {'first': '21.0.0', 'last': '21.3.2'}, '2023.1': {'first': '22.0.0', 'last': '22.3.0'},
        '2023.2': {'first': '23.0.0', 'last': '23.5.0'}, '2024.1': {'first': '24.0.0', 'last': '24.5.0'},
        '2024.2': {'first': '25.0.0', 'last': '25.3.1'}, '2025.1': {'first': '26.0.0', 'last': '26.3.0'},
        '2025.2': {'first': '27.0.0', 'last': '27.0.0'}, '2026.1': {'first': '28.0.0', 'last': '28.0.0'},
    },
    'cloudkitty': {
        'ussuri': {'first': '12.0.0', 'last': '12.1.1'}, 'victoria': {'first': '13.0.0', 'last': '13.0.2'},
        'wallaby': {'first': '14.0.0', 'last': '14.0.2'}, 'xena': {'first': '15.0.0', 'last': '15.0.1'},
        'yoga': {'first': '16.0.0', 'last': '16.0.1'}, 'zed': {'first': '17.0.0', 'last': '17.0.1'}, '2023.1': {'first': '18.0.0', 'last': '18.1.0'},
        '2023.2': {'first': '19.0.0', 'last': '19.1.0'}, '2024.1': {'first': '20.0.0', 'last': '20.1.0'},
        '2024.2': {'first': '21.0.0', 'last': '21.0.1'}, '2025.1': {'first': '22.0.0', 'last': '22.1.0'},
        '2025.2': {'first': '23.0.0', 'last': '23.0.0'}, '2026.1': {'first': '24.0.0', 'last': '24.0.0'},
    },
    'congress': {'ussuri': {'first': '11.0.0', 'last': '11.0.0'}},
    'cyborg': {
        'ussuri': {'first': '4.0.0', 'last': '4.0.1'}, 'victoria': {'first': '5.0.0', 'last': '5.0.1'},
        'wallaby': {'first': '6.0.0', 'last': '6.0.1'}, 'xena': {'first': '7.0.0', 'last': '7.0.1'}, 'yoga': {'first': '8.0.0', 'last': '8.0.1'},
        'zed': {'first': '9.0.0', 'last': '9.0.0'}, '2023.1': {'first': '10.0.0', 'last': '10.1.0'}, '2023.2': {'first': '11.0.0', 'last': '11.0.0'},
        '2024.1': {'first': '12.0.0', 'last': '12.0.0'}, '2024.2': {'first': '13.0.0', 'last': '13.0.0'},
        '2025.1': {'first': '14.0.0', 'last': '14.1.0'}, '2025.2': {'first': '15.0.0', 'last': '15.0.1'},
        '2026.1': {'first': '16.0.0', 'last': '16.0.1'},
    },
    'designate': {
        'ussuri': {'first': '10.0.0', 'last': '10.0.2'}, 'victoria': {'first': '11.0.0', 'last': '11.0.2'},
        'wallaby': {'first': '12.0.0', 'last': '12.1.0'}, 'xena': {'first': '13.0.0', 'last': '13.0.2'},
        'yoga': {'first': '14.0.0', 'last': '14.0.4'}, 'zed': {'first': '15.0.0', 'last': '15.0.2'}, '2023.1': {'first': '16.0.0', 'last': '16.0.2'},
        '2023.2': {'first': '17.0.0', 'last': '17.0.2'}, '2024.1': {'first': '18.0.0', 'last': '18.1.0'},
        '2024.2': {'first': '19.0.0', 'last': '19.1.0'}, '2025.1': {'first': '20.0.0', 'last': '20.0.2'},
        '2025.2': {'first': '21.0.0', 'last': '21.0.1'}, '2026.1': {'first': '22.0.0', 'last': '22.0.1'},
    },
    'ec2-api': {
        'ussuri': {'first': '10.0.0', 'last': '10.0.0'}, 'victoria': {'first': '11.0.0', 'last': '11.1.0'},
        'wallaby': {'first': '12.0.0', 'last': '12.1.0'}, 'xena': {'first': '13.0.0', 'last': '13.0.1'},
        'yoga': {'first': '14.0.0', 'last': '14.0.2'}, 'zed': {'first': '15.0.0', 'last': '15.0.0'}, '2023.1': {'first': '16.0.0', 'last': '16.0.0'},
        '2023.2': {'first': '17.0.0', 'last': '17.0.0'},
    },
    'freezer-api': {
        '2025.1': {'first': '16.0.0', 'last': '16.0.0'}, '2025.2': {'first': '17.0.0', 'last': '17.0.0'},
        '2026.1': {'first': '18.0.0', 'last': '18.0.0'},
    },
    'glance': {
        'ussuri': {'first': '20.0.0', 'last': '20.2.0'}, 'victoria': {'first': '21.0.0', 'last': '21.1.0'},
        'wallaby': {'first': '22.0.0', 'last': '22.1.1'}, 'xena': {'first': '23.0.0', 'last': '23.1.0'},
        'yoga': {'first': '24.0.0', 'last': '24.2.1'}, 'zed': {'first': '25.0.0', 'last': '25.1.0'}, '2023.1': {'first': '26.0.0', 'last': '26.1.0'},
        '2023.2': {'first': '27.0.0', 'last': '27.1.1'}, '2024.1': {'first': '28.0.0', 'last': '28.2.0'},
        '2024.2': {'first': '29.0.0', 'last': '29.2.1'}, '2025.1': {'first': '30.0.0', 'last': '30.2.0'},
        '2025.2': {'first': '31.0.0', 'last': '31.1.0'}, '2026.1': {'first': '32.0.0', 'last': '32.0.0'},
    },
    'heat': {
        'ussuri': {'first': '14.0.0', 'last': '14.2.0'}, 'victoria': {'first': '15.0.0', 'last': '15.1.0'},
        'wallaby': {'first': '16.0.0', 'last': '16.1.0'}, 'xena': {'first': '17.0.0', 'last': '17.0.2'},
        'yoga': {'first': '18.0.0', 'last': '18.0.1'}, 'zed': {'first': '19.0.0', 'last': '19.0.2'}, '2023.1': {'first': '20.0.0', 'last': '20.0.1'},
        '2023.2': {'first': '21.0.0', 'last': '21.0.1'}, '2024.1': {'first': '22.0.0', 'last': '22.0.1'},
        '2024.2': {'first': '23.0.0', 'last': '23.0.0'}, '2025.1': {'first': '24.0.0', 'last': '24.1.1'},
        '2025.2': {'first': '25.0.0', 'last': '25.0.1'}, '2026.1': {'first': '26.0.0', 'last': '26.0.1'},
    },
    'ironic': {
        'ussuri': {'first': '14.0.0', 'last': '15.0.2'}, 'victoria': {'first': '15.1.0', 'last': '16.0.5'},
        'wallaby': {'first': '16.1.0', 'last': '17.1.0'}, 'xena': {'first': '18.0.0', 'last': '18.3.0'},
        'yoga': {'first': '19.0.0', 'last': '20.1.3'}, 'zed': {'first': '20.2.0', 'last': '21.1.2'}, '2023.1': {'first': '21.2.0', 'last': '21.4.4'},
        '2023.2': {'first': '22.0.0', 'last': '23.0.5'}, '2024.1': {'first': '23.1.0', 'last': '24.1.5'},
        '2024.2': {'first': '25.0.0', 'last': '26.1.6'}, '2025.1': {'first': '27.0.0', 'last': '29.0.6'},
        '2025.2': {'first': '30.0.0', 'last': '32.0.1'}, '2026.1': {'first': '33.0.0', 'last': '35.0.1'},
        '2026.2': {'first': '36.0.0', 'last': '38.0.0'},
    },
    'karbor': {'ussuri': {'first': '1.5.0', 'last': '1.5.0'}, 'victoria': {'first': '1.6.0', 'last': '1.6.0'}},
    'keystone': {
        'ussuri': {'first': '17.0.0', 'last': '17.0.1'}, 'victoria': {'first': '18.0.0', 'last': '18.1.0'},
        'wallaby': {'first': '19.0.0', 'last': '19.0.1'}, 'xena': {'first': '20.0.0', 'last': '20.0.1'},
        'yoga': {'first': '21.0.0', 'last': '21.0.1'}, 'zed': {'first': '22.0.0', 'last': '22.0.2'}, '2023.1': {'first': '23.0.0', 'last': '23.0.2'},
        '2023.2': {'first': '24.0.0', 'last': '24.1.0'}, '2024.1': {'first': '25.0.0', 'last': '25.0.0'},
        '2024.2': {'first': '26.0.0', 'last': '26.1.1'}, '2025.1': {'first': '27.0.0', 'last': '27.0.2'},
        '2025.2': {'first': '28.0.0', 'last': '28.0.2'}, '2026.1': {'first': '29.0.0', 'last': '29.0.2'},
    },
    'magnum': {
        'ussuri': {'first': '10.0.0', 'last': '10.1.0'}, 'victoria': {'first': '11.0.0', 'last': '11.2.1'},
        'wallaby': {'first': '12.0.0', 'last': '12.1.1'}, 'xena': {'first': '13.0.0', 'last': '13.1.1'},
        'yoga': {'first': '14.0.0', 'last': '14.1.2'}, 'zed': {'first': '15.0.0', 'last': '15.0.2'}, '2023.1': {'first': '16.0.0', 'last': '16.0.3'},
        '2023.2': {'first': '17.0.0', 'last': '17.0.2'}, '2024.1': {'first': '18.0.0', 'last': '18.0.1'},
        '2024.2': {'first': '19.0.0', 'last': '19.0.1'}, '2025.1': {'first': '20.0.0', 'last': '20.0.2'},
        '2025.2': {'first': '21.0.0', 'last': '21.0.1'}, '2026.1': {'first': '22.0.0', 'last': '22.0.0'},
    },
    'manila': {
        'ussuri': {'first': '10.0.0', 'last': '10.2.0'}, 'victoria': {'first': '11.0.0', 'last': '11.1.2'},
        'wallaby': {'first': '12.0.0', 'last': '12.1.2'}, 'xena': {'first': '13.0.0', 'last': '13.2.0'},
        'yoga': {'first': '14.0.0', 'last': '14.2.0'}, 'zed': {'first': '15.0.0', 'last': '15.4.1'}, '2023.1': {'first': '16.0.0', 'last': '16.3.0'},
        '2023.2': {'first': '17.0.0', 'last': '17.4.0'}, '2024.1': {'first': '18.0.0', 'last': '18.3.0'},
        '2024.2': {'first': '19.0.0', 'last': '19.1.1'}, '2025.1': {'first': '20.0.0', 'last': '20.0.1'},
        '2025.2': {'first': '21.0.0', 'last': '21.0.1'}, '2026.1': {'first': '22.0.0', 'last': '22.0.0'},
    },
    'masakari': {
        'ussuri': {'first': '9.0.0', 'last': '9.1.3'}, 'victoria': {'first': '10.0.0', 'last': '10.0.3'},
        'wallaby': {'first': '11.0.0', 'last': '11.0.3'}, 'xena': {'first': '12.0.0', 'last': '12.0.3'},
        'yoga': {'first': '13.0.0', 'last': '13.0.3'}, 'zed': {'first': '14.0.0', 'last': '14.0.3'}, '2023.1': {'first': '15.0.0', 'last': '15.0.0'},
        '2023.2': {'first': '16.0.0', 'last': '16.0.1'}, '2024.1': {'first': '17.0.0', 'last': '17.0.0'},
        '2024.2': {'first': '18.0.0', 'last': '18.0.0'}, '2025.1': {'first': '19.0.0', 'last': '19.1.0'},
        '2025.2': {'first': '20.0.0', 'last': '20.0.0'}, '2026.1': {'first': '21.0.0', 'last': '21.0.0'},
    },
    'mistral': {
        'ussuri': {'first': '10.0.0', 'last': '10.0.0'}, 'victoria': {'first': '11.0.0', 'last': '11.0.0'},
        'wallaby': {'first': '12.0.0', 'last': '12.0.0'}, 'xena': {'first': '13.0.0', 'last': '13.0.0'},
        'yoga': {'first': '14.0.0', 'last': '14.0.0'}, 'zed': {'first': '15.0.0', 'last': '15.0.1'}, '2023.1': {'first': '16.0.0', 'last': '16.0.0'},
        '2023.2': {'first': '17.0.0', 'last': '17.0.0'}, '2024.1': {'first': '18.0.0', 'last': '18.1.0'},
        '2024.2': {'first': '19.0.0', 'last': '19.1.1'}, '2025.1': {'first': '20.0.0', 'last': '20.1.0'},
        '2025.2': {'first': '21.0.0', 'last': '21.0.0'}, '2026.1': {'first': '22.0.0', 'last': '22.0.0'},
    },
    'monasca-api': {
        'ussuri': {'first': '4.0.0', 'last': '4.1.0'}, 'victoria': {'first': '5.0.0', 'last': '5.0.0'},
        'wallaby': {'first': '6.0.0', 'last': '6.0.0'}, 'xena': {'first': '7.0.0', 'last': '7.0.0'}, 'yoga': {'first': '8.0.0', 'last': '8.0.0'},
        'zed': {'first': '9.0.0', 'last': '9.0.0'}, '2023.1': {'first': '10.0.0', 'last': '10.0.0'}, '2023.2': {'first': '11.0.0', 'last': '11.0.0'},
    },
    'monasca-events-api': {
        'ussuri': {'first': '1.0.0', 'last': '1.0.0'}, 'victoria': {'first': '2.0.0', 'last': '2.0.0'},
        'wallaby': {'first': '3.0.0', 'last': '3.0.0'}, 'xena': {'first': '4.0.0', 'last': '4.0.0'}, 'yoga': {'first': '5.0.0', 'last': '5.0.0'},
        'zed': {'first': '6.0.0', 'last': '6.0.0'}, '2023.1': {'first': '7.0.0', 'last': '7.0.0'}, '2023.2': {'first': '8.0.0', 'last': '8.0.0'},
    },
    'murano': {
        'ussuri': {'first': '9.0.0', 'last': '9.0.0'}, 'victoria': {'first': '10.0.0', 'last': '10.0.0'},
        'wallaby': {'first': '11.0.0', 'last': '11.0.0'}, 'xena': {'first': '12.0.0', 'last': '12.0.0'},
        'yoga': {'first': '13.0.0', 'last': '13.0.0'}, 'zed': {'first': '14.0.0', 'last': '14.0.0'}, '2023.1': {'first': '15.0.0', 'last': '15.0.0'},
        '2023.2': {'first': '16.0.0', 'last': '16.0.0'},
    },
    'neutron': {
        'ussuri': {'first': '16.0.0', 'last': '16.4.2'}, 'victoria': {'first': '17.0.0', 'last': '17.4.1'},
        'wallaby': {'first': '18.0.0', 'last': '18.6.0'}, 'xena': {'first': '19.0.0', 'last': '19.7.0'},
        'yoga': {'first': '20.0.0', 'last': '20.5.0'}, 'zed': {'first': '21.0.0', 'last': '21.2.1'}, '2023.1': {'first': '22.0.0', 'last': '22.2.1'},
        '2023.2': {'first': '23.0.0', 'last': '23.5.0'}, '2024.1': {'first': '24.0.0', 'last': '24.2.2'},
        '2024.2': {'first': '25.0.0', 'last': '25.2.3'}, '2025.1': {'first': '26.0.0', 'last': '26.0.5'},
        '2025.2': {'first': '27.0.0', 'last': '27.0.3'}, '2026.1': {'first': '28.0.0', 'last': '28.0.1'},
    },
    'nova': {
        'ussuri': {'first': '21.0.0', 'last': '21.2.4'}, 'victoria': {'first': '22.0.0', 'last': '22.4.0'},
        'wallaby': {'first': '23.0.0', 'last': '23.2.2'}, 'xena': {'first': '24.0.0', 'last': '24.2.1'},
        'yoga': {'first': '25.0.0', 'last': '25.3.0'}, 'zed': {'first': '26.0.0', 'last': '26.3.0'}, '2023.1': {'first': '27.0.0', 'last': '27.5.1'},
        '2023.2': {'first': '28.0.0', 'last': '28.3.1'}, '2024.1': {'first': '29.0.0', 'last': '29.4.0'},
        '2024.2': {'first': '30.0.0', 'last': '30.3.0'}, '2025.1': {'first': '31.0.0', 'last': '31.3.1'},
        '2025.2': {'first': '32.0.0', 'last': '32.2.1'}, '2026.1': {'first': '33.0.0', 'last': '33.0.2'},
    },
    'octavia': {
        'ussuri': {'first': '6.0.0', 'last': '6.2.2'}, 'victoria': {'first': '7.0.0', 'last': '7.1.2'},
        'wallaby': {'first': '8.0.0', 'last': '8.0.1'}, 'xena': {'first': '9.0.0', 'last': '9.1.0'}, 'yoga': {'first': '10.0.0', 'last': '10.1.1'},
        'zed': {'first': '11.0.0', 'last': '11.0.3'}, '2023.1': {'first': '12.0.0', 'last': '12.0.1'},
        '2023.2': {'first': '13.0.0', 'last': '13.0.1'}, '2024.1': {'first': '14.0.0', 'last': '14.0.2'},
        '2024.2': {'first': '15.0.0', 'last': '15.1.0'}, '2025.1': {'first': '16.0.0', 'last': '16.0.1'},
        '2025.2': {'first': '17.0.0', 'last': '17.0.0'}, '2026.1': {'first': '18.0.0', 'last': '18.0.0'},
    },
    'panko': {
        'ussuri': {'first': '8.0.0', 'last': '8.1.0'}, 'victoria': {'first': '9.0.0', 'last': '9.0.0'},
        'wallaby': {'first': '10.0.0', 'last': '10.0.0'},
    },
    'placement': {
        'ussuri': {'first': '3.0.0', 'last': '3.0.1'}, 'victoria': {'first': '4.0.0', 'last': '4.0.0'},
        'wallaby': {'first': '5.0.0', 'last': '5.0.1'}, 'xena': {'first': '6.0.0', 'last': '6.0.0'}, 'yoga': {'first': '7.0.0', 'last': '7.0.0'},
        'zed': {'first': '8.0.0', 'last': '8.0.0'}, '2023.1': {'first': '9.0.0', 'last': '9.0.0'}, '2023.2': {'first': '10.0.0', 'last': '10.0.1'},
        '2024.1': {'first': '11.0.0', 'last': '11.0.1'}, '2024.2': {'first': '12.0.0', 'last': '12.0.2'},
        '2025.1': {'first': '13.0.0', 'last': '13.0.0'}, '2025.2': {'first': '14.0.0', 'last': '14.0.0'},
        '2026.1': {'first': '15.0.0', 'last': '15.0.0'},
    },
    'qinling': {'ussuri': {'first': '4.0.0', 'last': '4.0.0'}, 'victoria': {'first': '5.0.0', 'last': '5.0.0'}},
    'sahara': {
        'ussuri': {'first': '12.0.0', 'last': '12.0.0'}, 'victoria': {'first': '13.0.0', 'last': '13.0.0'},
        'wallaby': {'first': '14.0.0', 'last': '14.0.0'}, 'xena': {'first': '15.0.0', 'last': '15.0.0'},
        'yoga': {'first': '16.0.0', 'last': '16.0.0'}, 'zed': {'first': '17.0.0', 'last': '17.0.0'}, '2023.1': {'first': '18.0.0', 'last': '18.0.0'},
        '2023.2': {'first': '19.0.0', 'last': '19.0.0'},
    },
    'searchlight': {'ussuri': {'first': '8.0.0', 'last': '8.0.0'}, 'victoria': {'first': '9.0.0', 'last': '9.0.0'}},
    'senlin': {
        'ussuri': {'first': '9.0.0', 'last': '9.0.1'}, 'victoria': {'first': '10.0.0', 'last': '10.0.0'},
        'wallaby': {'first': '11.0.0', 'last': '11.0.0'}, 'xena': {'first': '12.0.0', 'last': '12.0.0'},
        'yoga': {'first': '13.0.0', 'last': '13.0.0'}, 'zed': {'first': '14.0.0', 'last': '14.0.0'}, '2023.1': {'first': '15.0.0', 'last': '15.0.0'},
        '2023.2': {'first': '16.0.0', 'last': '16.0.0'},
    },
    'solum': {
        'ussuri': {'first': '8.0.0', 'last': '8.0.0'}, 'victoria': {'first': '9.0.0', 'last': '9.0.0'},
        'wallaby': {'first': '10.0.0', 'last': '10.0.0'}, 'xena': {'first': '11.0.0', 'last': '11.0.0'},
        'yoga': {'first': '12.0.0', 'last': '12.0.1'}, 'zed': {'first': '13.0.0', 'last': '13.0.0'}, '2023.1': {'first': '14.0.0', 'last': '14.0.0'},
        '2023.2': {'first': '15.0.0', 'last': '15.0.0'},
    },
    'swift': {
        'ussuri': {'first': '2.24.0', 'last': '2.25.2'}, 'victoria': {'first': '2.26.0', 'last': '2.26.0'},
        'wallaby': {'first': '2.27.0', 'last': '2.27.0'}, 'xena': {'first': '2.28.0', 'last': '2.28.1'},
        'yoga': {'first': '2.29.0', 'last': '2.29.2'}, 'zed': {'first': '2.30.0', 'last': '2.30.1'}, '2023.1': {'first': '2.31.0', 'last': '2.31.1'},
        '2023.2': {'first': '2.32.0', 'last': '2.32.1'}, '2024.1': {'first': '2.33.0', 'last': '2.33.1'},
        '2024.2': {'first': '2.34.0', 'last': '2.34.2'}, '2025.1': {'first': '2.35.0', 'last': '2.35.4'},
        '2025.2': {'first': '2.36.0', 'last': '2.36.3'}, '2026.1': {'first': '2.37.0', 'last': '2.37.3'},
        '2026.2': {'first': '2.38.0', 'last': '2.38.1'},
    },
    'tacker': {
        'ussuri': {'first': '3.0.0', 'last': '3.0.1'}, 'victoria': {'first': '4.0.0', 'last': '4.1.0'},
        'wallaby': {'first': '5.0.0', 'last': '5.0.0'}, 'xena': {'first': '6.0.0', 'last': '6.0.0'}, 'yoga': {'first': '7.0.0', 'last': '7.1.0'},
        'zed': {'first': '8.0.0', 'last': '8.0.0'}, '2023.1': {'first': '9.0.0', 'last': '9.0.0'}, '2023.2': {'first': '10.0.0', 'last': '10.0.0'},
        '2024.1': {'first': '11.0.0', 'last': '11.0.0'}, '2024.2': {'first': '12.0.0', 'last': '12.0.0'},
        '2025.1': {'first': '13.0.0', 'last': '13.0.0'}, '2025.2': {'first': '14.0.0', 'last': '14.0.0'},
        '2026.1': {'first': '15.0.0', 'last': '15.0.0'},
    },
    'tricircle': {'ussuri': {'first': '8.0.0', 'last': '8.0.0'}},
    'trove': {
        'ussuri': {'first': '13.0.0', 'last': '13.0.1'}, 'victoria': {'first': '14.0.0', 'last': '14.1.0'},
        'wallaby': {'first': '15.0.0', 'last': '15.0.0'}, 'xena': {'first': '16.0.0', 'last': '16.0.1'},
        'yoga': {'first': '17.0.0', 'last': '17.0.1'}, 'zed': {'first': '18.0.0', 'last': '18.0.1'}, '2023.1': {'first': '19.0.0', 'last': '19.0.1'},
        '2023.2': {'first': '20.0.0', 'last': '20.0.0'}, '2024.1': {'first': '21.0.0', 'last': '21.1.0'},
        '2024.2': {'first': '22.0.0', 'last': '22.0.1'}, '2025.1': {'first': '23.0.0', 'last': '23.1.0'},
        '2025.2': {'first': '24.0.0', 'last': '24.0.0'}, '2026.1': {'first': '25.0.0', 'last': '25.0.0'},
    },
    'venus': {
        'zed': {'first': '1.0.0', 'last': '1.0.0'}, '2023.1': {'first': '2.0.0', 'last': '2.0.0'}, '2023.2': {'first': '3.0.0', 'last': '3.0.0'},
        '2024.1': {'first': '4.0.0', 'last': '4.0.0'}, '2024.2': {'first': '5.0.0', 'last': '5.0.0'}, '2025.1': {'first': '6.0.0', 'last': '6.0.0'},
        '2025.2': {'first': '7.0.0', 'last': '7.0.0'},
    },
    'vitrage': {
        'ussuri': {'first': '6.0.0', 'last': '7.1.0'}, 'victoria': {'first': '7.2.0', 'last': '7.3.0'},
        'wallaby': {'first': '7.4.0', 'last': '7.4.0'}, 'xena': {'first': '7.5.0', 'last': '7.5.0'}, 'yoga': {'first': '8.0.0', 'last': '8.0.1'},
        'zed': {'first': '9.0.0', 'last': '9.0.0'}, '2023.1': {'first': '10.0.0', 'last': '10.0.0'}, '2023.2': {'first': '11.0.0', 'last': '11.0.0'},
        '2024.1': {'first': '12.0.0', 'last': '12.0.1'}, '2024.2': {'first': '13.0.0', 'last': '13.0.1'},
        '2025.1': {'first': '14.0.0', 'last': '14.0.1'}, '2025.2': {'first': '15.0.0', 'last': '15.0.1'},
    },
    'watcher': {
        'ussuri': {'first': '4.0.0', 'last': '4.0.1'}, 'victoria': {'first': '5.0.0', 'last': '5.0.0'},
        'wallaby': {'first': '6.0.0', 'last': '6.0.1'}, 'xena': {'first': '7.0.0', 'last': '7.0.0'}, 'yoga': {'first': '8.0.0', 'last': '8.0.0'},
        'zed': {'first': '9.0.0', 'last': '9.0.0'}, '2023.1': {'first': '10.0.0', 'last': '10.0.0'}, '2023.2': {'first': '11.0.0', 'last': '11.0.1'},
        '2024.1': {'first': '12.0.0', 'last': '12.1.0'}, '2024.2': {'first': '13.0.0', 'last': '13.1.0'},
        '2025.1': {'first': '14.0.0', 'last': '14.1.2'}, '2025.2': {'first': '15.0.0', 'last': '15.1.2'},
        '2026.1': {'first': '16.0.0', 'last': '16.0.2'},
    },
    'zaqar': {
        'ussuri': {'first': '10.0.0', 'last': '10.0.0'}, 'victoria': {'first': '11.0.0', 'last': '11.0.0'},
        'wallaby': {'first': '12.0.0', 'last': '12.0.0'}, 'xena': {'first': '13.0.0', 'last': '13.0.0'},
        'yoga': {'first': '14.0.0', 'last': '14.0.0'}, 'zed': {'first': '15.0.0', 'last': '15.0.0'}, '2023.1': {'first': '16.0.0', 'last': '16.0.0'},
        '2023.2': {'first': '17.0.0', 'last': '17.0.0'}, '2024.1': {'first': '18.0.0', 'last': '18.0.0'},
        '2024.2': {'first': '19.0.0', 'last': '19.0.0'}, '2025.1': {'first': '20.0.0', 'last': '20.1.1'},
        '2025.2': {'first': '21.0.0', 'last': '21.0.1'}, '2026.1': {'first': '22.0.0', 'last': '22.0.1'},
    },
    'zun': {
        'ussuri': {'first': '5.0.0', 'last': '5.0.1'}, 'victoria': {'first': '6.0.0', 'last': '6.0.0'},
        'wallaby': {'first': '7.0.0', 'last': '7.0.0'}, 'xena': {'first': '8.0.0', 'last': '8.0.0'}, 'yoga': {'first': '9.0.0', 'last': '9.1.0'},
        'zed': {'first': '10.0.0', 'last': '10.0.1'}, '2023.1': {'first': '11.0.0', 'last': '11.0.0'},
        '2023.2': {'first': '12.0.0', 'last': '12.0.1'}, '2024.1': {'first': '13.0.0', 'last': '13.0.0'},
        '2024.2': {'first': '14.0.0', 'last': '14.0.1'}, '2025.1': {'first': '15.0.0', 'last': '15.0.0'},
        '2025.2': {'first': '16.0.0', 'last': '16.0.0'}, '2026.1': {'first': '17.0.0', 'last': '17.0.0'},
    },
}
"""deliverable -> series -> first and last final release (rc, betas, -eol/-em/-eom/-last tags skipped)."""


SERVICE_TYPES = {
    'accelerator': 'cyborg', 'admin-logic': 'adjutant', 'alarm': 'aodh', 'alarming': 'aodh', 'application-catalog': 'murano',
    'application-container': 'zun', 'application-deployment': 'solum', 'application_deployment': 'solum', 'backup': 'freezer-api',
    'bare-metal': 'ironic', 'baremetal': 'ironic', 'block-storage': 'cinder', 'block-store': 'cinder', 'cluster': 'senlin', 'clustering': 'senlin',
    'compute': 'nova', 'container': 'zun', 'container-infra': 'magnum', 'container-infrastructure': 'magnum',
    'container-infrastructure-management': 'magnum', 'data-processing': 'sahara', 'data-protection-orchestration': 'karbor', 'database': 'trove',
    'dns': 'designate', 'ec2-api': 'ec2-api', 'event': 'panko', 'events': 'panko', 'function-engine': 'qinling', 'ha': 'masakari',
    'identity': 'keystone', 'image': 'glance', 'infra-optim': 'watcher', 'instance-ha': 'masakari', 'key-manager': 'barbican',
    'load-balancer': 'octavia', 'log-management': 'venus', 'message': 'zaqar', 'messaging': 'zaqar', 'meter': 'ceilometer', 'metering': 'ceilometer',
    'metric-storage': 'aetos', 'monitoring': 'monasca-api', 'monitoring-events': 'monasca-events-api', 'multi-region-network-automation': 'tricircle',
    'network': 'neutron', 'nfv-orchestration': 'tacker', 'object-store': 'swift', 'operator-policy': 'congress', 'orchestration': 'heat',
    'placement': 'placement', 'policy': 'congress', 'rating': 'cloudkitty', 'rca': 'vitrage', 'registration': 'adjutant', 'reservation': 'blazar',
    'resource-cluster': 'senlin', 'resource-optimization': 'watcher', 'root-cause-analysis': 'vitrage', 'search': 'searchlight', 'share': 'manila',
    'shared-file-system': 'manila', 'sharev2': 'manila', 'telemetry': 'ceilometer', 'tricircle': 'tricircle', 'volume': 'cinder',
    'volumev2': 'cinder', 'volumev3': 'cinder', 'workflow': 'mistral', 'workflowv2': 'mistral',
}
"""catalog service type or alias (service-types authority) -> deliverable."""


IRONIC_API = {
    '1.78': ('yoga',), '1.80': ('zed',), '1.82': ('2023.1',), '1.87': ('2023.2',), '1.90': ('2024.1',), '1.93': ('2024.2',), '1.96': ('2025.1',),
    '1.101': ('2025.2',), '1.111': ('2026.1',),
}
"""Bare Metal API version -> the series that release (Ironic's release_mappings.py)."""


MAX_MICROVERSION = {
    'cinder': {
        'ussuri': '3.60', 'victoria': '3.62', 'wallaby': '3.64', 'xena': '3.66', 'yoga': '3.68', 'zed': '3.70', '2023.1': '3.70', '2023.2': '3.70',
        '2024.1': '3.71', '2024.2': '3.71',
    },
    'manila': {
        'ussuri': '2.55', 'victoria': '2.57', 'wallaby': '2.63', 'xena': '2.65', 'yoga': '2.70', 'zed': '2.73', '2023.1': '2.78', '2023.2': '2.82',
        '2024.1': '2.85', '2024.2': '2.87', '2025.1': '2.89', '2025.2': '2.91', '2026.1': '2.95',
    },
    'nova': {
        'ussuri': '2.87', 'victoria': '2.87', 'wallaby': '2.88', 'xena': '2.90', 'yoga': '2.90', 'zed': '2.93', '2023.1': '2.95', '2023.2': '2.95',
        '2024.1': '2.96', '2024.2': '2.96', '2025.1': '2.100', '2025.2': '2.100', '2026.1': '2.103',
    },
}
"""deliverable -> series -> maximum microversion, as the project's REST API history names it."""
