# Sourced by every script that runs npm itself. Under `npm test` / `npm start` the outer npm exports its own
# configuration into the environment (npm_config_user_agent naming ITS node, npm_config_nodedir, npm_config_node_gyp,
# npm_lifecycle_*, NODE, INIT_CWD …). A nested `npm install` would take those as its own: code-server's postinstall
# then reads "node/v20" from the inherited user agent and refuses to install under Node 24. Clear them, so each
# nested npm reads only its own command line, the user's ~/.npmrc and the variables the script sets on purpose.
while IFS= read -r __var; do unset "$__var"; done < <(compgen -e | grep -iE '^(npm_|NODE$|INIT_CWD$)')
unset __var
