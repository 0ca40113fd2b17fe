"""How members are told: notifications on the site and by e-mail (`delivery`), the weekly digest
(`digests`). The writes of notifications live here rather than in `community.services`, because the
conversation's services call `community.notifications` after they save: a package they import may not
import them back (the layers contract forbids cycles)."""
