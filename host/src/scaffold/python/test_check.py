import unittest

import check
from fake_repo import FakeRepo
from fledge_repo import read_text


class NoticeTest(unittest.TestCase):
    def test_notice_names_the_owner(self):
        repo = FakeRepo({"NOTICE": "Copyright ACME Corp.\n", "src/main.py": ""})
        self.assertEqual(check.notice(repo, "ACME Corp.")[0], "pass")

    def test_wrong_owner_is_a_finding(self):
        repo = FakeRepo({"NOTICE.md": "Copyright Initech\n"})
        status, score, message, findings = check.notice(repo, "ACME Corp.")
        self.assertEqual((status, message), ("fail", "NOTICE.md does not name ACME Corp."))
        self.assertEqual(findings, [("no `Copyright ACME Corp.`", "NOTICE.md", 1)])

    def test_no_notice(self):
        self.assertEqual(check.notice(FakeRepo(), "ACME Corp.")[2], "no NOTICE file at the root")

    def test_text_is_read_as_fledge_reads_it(self):
        repo = FakeRepo({"NOTICE": b"Copyright \xa9 ACME Corp.", "logo.png": b"\x89PNG\r\n\x1a\n\0\0"})
        self.assertEqual(read_text(repo, "NOTICE"), "Copyright \u00a9 ACME Corp.")
        self.assertIsNone(read_text(repo, "logo.png"))
        self.assertEqual(read_text(FakeRepo({"a": "h\u00e9"}), "a", 2), "h")


if __name__ == "__main__":
    unittest.main()
