"""``unittest.TestCase`` with ``@mock_kms``: each test gets a fresh mock, and its
``setUp``, ``tearDown`` and cleanups run inside that same mock."""
import socket
import unittest

import boto3

from mockkms import current_mock, mock_kms


@mock_kms
class EnvelopeEncryptionTest(unittest.TestCase):
    def setUp(self):
        self.kms = boto3.client("kms", region_name="us-east-1")
        self.key_id = self.kms.create_key(Description="data key wrapper")["KeyMetadata"]["KeyId"]

    def test_data_key_roundtrip(self):
        data_key = self.kms.generate_data_key(KeyId=self.key_id, KeySpec="AES_256")
        unwrapped = self.kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"]
        self.assertEqual(unwrapped, data_key["Plaintext"])

    def test_only_this_tests_key_exists(self):
        # setUp ran in this test's own mock: the other test's key is not here.
        keys = [k["KeyId"] for k in self.kms.list_keys()["Keys"]]
        self.assertEqual(keys, [self.key_id])

    def test_the_handle_is_available(self):
        # current_mock() is the handle: its call log, its clock, ...
        self.assertEqual(current_mock().calls.last.operation, "CreateKey")

    def test_the_conftest_guard_is_active(self):
        with self.assertRaises(AssertionError):
            socket.create_connection(("127.0.0.1", 9))
