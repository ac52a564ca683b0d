import unittest

import check


class NoticeTest(unittest.TestCase):
    def test_notice_names_the_owner(self):
        texts = {"NOTICE": "Copyright ACME Corp.\n", "src/main.py": ""}
        self.assertEqual(check.notice(texts, texts.get, "ACME Corp.")[0], "pass")

    def test_wrong_owner_is_a_finding(self):
        texts = {"NOTICE.md": "Copyright Initech\n"}
        status, score, message, findings = check.notice(texts, texts.get, "ACME Corp.")
        self.assertEqual((status, message), ("fail", "NOTICE.md does not name ACME Corp."))
        self.assertEqual(findings, [("no `Copyright ACME Corp.`", "NOTICE.md", 1)])

    def test_no_notice(self):
        self.assertEqual(check.notice([], None, "ACME Corp.")[2], "no NOTICE file at the root")


if __name__ == "__main__":
    unittest.main()
