"""The JSON API's conventions, shared by every app's endpoints: how a request body or a date is read
(`documents`), and the one error hierarchy answered in one shape (`errors`). The API itself (the router
that gathers the apps' endpoints, the contract's endpoints) is `smanav.api`, above the apps."""
