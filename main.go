// Command terraform-provider-activity is the Terraform provider of the
// activity monitoring project.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug, showVersion bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.BoolVar(&showVersion, "version", false, "print the provider's version and the database schema version it reads, then exit")
	flag.Parse()
	if showVersion {
		schema, err := store.LatestSchemaVersion()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(os.Stdout, "terraform-provider-activity %s (plugin protocol 6)\ndatabase schema version %d\n", version, schema)
		return
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/hashicorp/activity",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
